#!/usr/bin/env python3
"""Generate an N-image dockerfile-compose.yaml in the seed's style, for benchmarks.

Layout: a few python roots, then a wide tree of cann -> pytorch -> app layers (each image's
parent is chosen among earlier layers), sharing a handful of Dockerfiles like real repos do.

    python3 bench/gen_config.py 10000 /tmp/adf-bench
"""
import os
import sys


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/adf-bench"
    os.makedirs(os.path.join(out, "dockerfiles"), exist_ok=True)
    kinds = ["python", "cann", "pytorch", "app"]
    for kind in kinds:
        with open(os.path.join(out, "dockerfiles", f"{kind}.dockerfile"), "w") as f:
            f.write("ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG VERSION\nARG CHIP_TYPE\n"
                    "RUN echo ${VERSION} ${CHIP_TYPE}\n")
    lines = ['version: "1.0"', "variables:", "  ORG: bench", "images:"]
    roots = max(2, n // 1000)
    for i in range(n):
        name = f"img-{i:05d}"
        if i < roots:
            kind, parent = "python", None
        else:
            # parents come from a window of earlier images: deep and wide at once
            parent = f"img-{max(0, i - 1 - (i * 7919) % 64):05d}"
            kind = kinds[1 + i % 3]
        lines.append(f"  {name}:")
        if parent:
            lines.append(f"    depends_on: [{parent}]")
        lines.append("    build:")
        lines.append("      context: .")
        lines.append(f"      dockerfile: dockerfiles/{kind}.dockerfile")
        lines.append("      args:")
        if not parent:
            lines.append('        BASE_IMAGE: "ubuntu:22.04"')
        lines.append(f'        VERSION: "{i % 97}.{i % 13}"')
        lines.append(f"        CHIP_TYPE: {['910b', '310p', 'a3'][i % 3]}")
        lines.append(f'    tags: ["${{ORG}}/{kind}:{name}"]')
    with open(os.path.join(out, "dockerfile-compose.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(os.path.join(out, "dockerfile-compose.yaml"))


if __name__ == "__main__":
    main()
