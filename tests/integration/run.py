#!/usr/bin/env python3
"""Run every integration test (tests/integration/test_*.py) against a vigie
binary and print 'N passed, N failed'."""
import argparse
import os
import sys
import time
import unittest


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigie", default="build-asan/vigie")
    ap.add_argument("pattern", nargs="?", default="test_*.py")
    ap.add_argument("-k", dest="keyword", default=None, help="only tests whose id contains this")
    args = ap.parse_args()
    os.environ["VG_IT_VIGIE"] = os.path.abspath(args.vigie)
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    suite = unittest.defaultTestLoader.discover(here, pattern=args.pattern, top_level_dir=here)
    if args.keyword:
        def flatten(s):
            for t in s:
                if isinstance(t, unittest.TestSuite):
                    yield from flatten(t)
                else:
                    yield t
        suite = unittest.TestSuite([t for t in flatten(suite) if args.keyword in t.id()])
    t0 = time.time()
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors)
    passed = result.testsRun - failed - len(result.skipped)
    print("integration: %.1fs" % (time.time() - t0))
    print("%d passed, %d failed, %d skipped" % (passed, failed, len(result.skipped)))
    return 0 if failed == 0 and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
