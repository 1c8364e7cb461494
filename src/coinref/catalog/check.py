"""``python -m coinref.catalog.check [SLUG ...] [--list]``: load fact files and summarise them.

For each series: base coins (by series, year, mint, strike, variety), designation entries, the
estimate from series.csv, and with ``--list`` every base coin's full name. Exit 1 on any error.
"""

from __future__ import annotations

import sys

from coinref.catalog.builtin import CatalogError, data_files, expand, parse_facts
from coinref.catalog.series import all_series


def main(argv: list[str]) -> int:
    show = "--list" in argv
    wanted = [a for a in argv if not a.startswith("--")]
    files = data_files()
    total_base = total = 0
    status = 0
    for info in all_series():
        if wanted and info.slug not in wanted:
            continue
        if info.slug not in files:
            print(f"{info.tier} {info.slug:40s} MISSING (estimate {info.est_coins})")
            continue
        try:
            coins = expand(parse_facts(info.slug, files[info.slug]))
        except CatalogError as exc:
            print(f"{info.tier} {info.slug:40s} ERROR {exc}")
            status = 1
            continue
        base = [c for c in coins if not c.designation]
        total_base += len(base)
        total += len(coins)
        strikes = {s: sum(1 for c in base if c.strike == s) for s in ("MS", "PR", "SP")}
        print(f"{info.tier} {info.slug:40s} base {len(base):4d} (MS {strikes['MS']}, PR {strikes['PR']}, "
              f"SP {strikes['SP']}) entries {len(coins):4d} estimate {info.est_coins}")
        if show:
            for coin in base:
                print(f"      {coin.full_name}  [{coin.short_name}] {coin.metal} {coin.metal_oz or ''}"
                      f" mintage={coin.mintage or ''}")
    print(f"total base {total_base}, entries {total}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
