# Session 53: bench.py --precision fp32, before (923dd91) / after (f30d0ef: the compiled MLE step
# with Adam's step sizes apart), interleaved, 3 rounds, machine otherwise idle.
for r in 1 2 3; do
  (cd /tmp/s53/before && PYTHONPATH=/tmp/s53/before python scripts/bench.py --algos sac --precision fp32 --json /tmp/s53/fp32-before-$r.json > /tmp/s53/fp32-before-$r.log 2>&1)
  (python scripts/bench.py --algos sac --precision fp32 --json /tmp/s53/fp32-after-$r.json > /tmp/s53/fp32-after-$r.log 2>&1)
done
echo ALLDONE
