# Session 53: four more interleaved rounds of bench.py, before (923dd91) / after, auto precision.
for r in 3 4 5 6; do
  (cd /tmp/s53/before && PYTHONPATH=/tmp/s53/before python scripts/bench.py --algos sac --json /tmp/s53/bb-before-$r.json > /tmp/s53/bb-before-$r.log 2>&1)
  (python scripts/bench.py --algos sac --json /tmp/s53/bb-after-$r.json > /tmp/s53/bb-after-$r.log 2>&1)
done
echo ALLDONE
