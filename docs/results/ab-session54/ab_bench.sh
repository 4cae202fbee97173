#!/bin/bash
# interleaved bench.py before (e488266) / after (this session), auto precision, 3 rounds
cd /work/main
for r in 1 2 3; do
  for side in before after; do
    if [ $side = before ]; then pp=/tmp/s54/before; else pp=/work/main; fi
    (cd $pp && PYTHONPATH=$pp python scripts/bench.py --algos sac --json /tmp/s54/ab_${side}_$r.json > /tmp/s54/ab_${side}_$r.txt 2>&1)
  done
done
echo done > /tmp/s54/ab_done
