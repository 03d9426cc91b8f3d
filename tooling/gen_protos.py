"""Generate libs/protos from protos/ (python, pyi, grpc).

`--check` regenerates into a scratch directory and fails when the committed code differs, so CI
catches a proto edit whose generated code was not committed.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "protos"
OUT_ROOT = ROOT / "libs" / "protos" / "src"
PACKAGE = "civicgrid"


def generate(out: Path) -> None:
    protos = sorted(str(p.relative_to(PROTO_ROOT)) for p in (PROTO_ROOT / PACKAGE).rglob("*.proto"))
    include = Path(protoc.__file__).parent / "_proto"
    args = [
        "grpc_tools.protoc",
        f"-I{PROTO_ROOT}",
        f"-I{include}",
        f"--python_out={out}",
        f"--pyi_out={out}",
        f"--grpc_python_out={out}",
        *protos,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    # Every folder is a regular package so the generated imports resolve.
    for folder in [out / PACKAGE, *(p for p in (out / PACKAGE).rglob("*") if p.is_dir())]:
        init = folder / "__init__.py"
        if not init.exists():
            init.write_text("")
    (out / PACKAGE / "py.typed").write_text("")


def tree_differs(a: Path, b: Path) -> list[str]:
    cmp = filecmp.dircmp(a, b, ignore=["__pycache__"])
    diffs = [str(Path(a, n)) for n in cmp.left_only + cmp.right_only + cmp.diff_files]
    for sub in cmp.common_dirs:
        diffs += tree_differs(a / sub, b / sub)
    return diffs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when committed code is stale")
    ns = parser.parse_args()
    if not ns.check:
        shutil.rmtree(OUT_ROOT / PACKAGE, ignore_errors=True)
        generate(OUT_ROOT)
        return
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp))
        stale = tree_differs(Path(tmp) / PACKAGE, OUT_ROOT / PACKAGE)
    if stale:
        sys.exit("generated protobuf code is stale; run `make protos`:\n" + "\n".join(stale))


if __name__ == "__main__":
    main()
