"""One line per bench.py JSON (session 54): each floor row's wall seconds and its ratio, the
direct iteration and the fp32 peak. python summary.py FILE.json ..."""
import json, sys

for path in sys.argv[1:]:
    d = json.load(open(path))
    rows = " | ".join(f"{k} {v['wall_s']:.1f} ({v['ratio']:.2f}x)" for k, v in d["floors"].items())
    direct = d["iteration"]["direct_reduced"]["wall_s"]
    peak = d["matmul_gflops"]["fp32_1t"]
    print(f"{path.rsplit('/', 1)[-1]} {d['meta']['precision']} {rows} | direct {direct:.2f} | fp32 peak/thread {peak:.0f}")
