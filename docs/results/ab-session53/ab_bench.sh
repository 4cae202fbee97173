# Session 53: bench.py before (923dd91, session 52's main) / after (the compiled MLE step),
# interleaved, machine idle otherwise. Run from the repository root.
for r in 1 2; do
  (cd /tmp/s53/before && PYTHONPATH=/tmp/s53/before python scripts/bench.py --algos sac --json /tmp/s53/bb-before-$r.json > /tmp/s53/bb-before-$r.log 2>&1)
  (python scripts/bench.py --algos sac --json /tmp/s53/bb-after-$r.json > /tmp/s53/bb-after-$r.log 2>&1)
done
(cd /tmp/s53/before && PYTHONPATH=/tmp/s53/before python scripts/bench.py --algos sac --precision fp32 --json /tmp/s53/bb-before-fp32.json > /tmp/s53/bb-before-fp32.log 2>&1)
(python scripts/bench.py --algos sac --precision fp32 --json /tmp/s53/bb-after-fp32.json > /tmp/s53/bb-after-fp32.log 2>&1)
echo ALLDONE
