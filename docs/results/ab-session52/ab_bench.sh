for r in 1 2 3; do
  (cd /tmp/s52/before && PYTHONPATH=/tmp/s52/before python scripts/bench.py --algos sac --json /tmp/s52/bb-before-$r.json > /tmp/s52/bb-before-$r.log 2>&1)
  (cd /work/main && python scripts/bench.py --algos sac --json /tmp/s52/bb-after-$r.json > /tmp/s52/bb-after-$r.log 2>&1)
done
echo ALLDONE
