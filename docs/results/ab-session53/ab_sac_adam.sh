# Session 53: SAC's whole step with Adam's step sizes inside its graph (bb31d64's tree) / apart
# (f30d0ef+), each against its own step-by-step path (the same code in both), alternating processes.
for r in 1 2 3; do
  for side in before after; do
    repo=/tmp/s53/before; [ $side = after ] && repo=/work/main
    (cd $repo && REPO=$repo PYTHONPATH=$repo T=2 R=6 python /work/main/docs/results/ab-session53/sac_whole_ab.py 2>&1 | grep ms/step | sed "s/^/$side $r /")
  done
done
echo ALLDONE
