cd /work/main
for r in 1 2; do
 for p in auto fp32; do
  python scripts/bench.py --algos sac --precision $p --json /tmp/s52/ab-$p-base-$r.json > /tmp/s52/ab-$p-base-$r.log 2>&1
  MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296 python scripts/bench.py --algos sac --precision $p --json /tmp/s52/ab-$p-nommap-$r.json > /tmp/s52/ab-$p-nommap-$r.log 2>&1
 done
done
echo ALLDONE
