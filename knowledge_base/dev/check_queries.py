"""Validate queries-en.jsonl / queries-zh.jsonl (run: python3 check_queries.py)."""
import json, re, sys
from collections import Counter
from pathlib import Path

GUIDE_IDS = """id-card id-card-lost passport residence-permit residence-permit-renewal household-registration
birth-registration marriage-registration death-registration social-insurance pension-claim pension-eligibility-check
health-insurance-reimbursement medical-insurance-card housing-fund-withdrawal business-registration
food-business-licence property-registration driving-licence vehicle-registration school-enrolment
kindergarten-enrolment senior-citizen-card old-age-allowance elderly-home-care elderly-care-home
disability-certificate disability-benefits unemployment-benefit minimum-living-allowance income-tax transport-card
library-card report-pothole report-streetlight report-noise report-rubbish waste-sorting citizen-hotline
service-centres appointment-booking dog-registration no-criminal-record maternity-benefit
water-electricity-account""".split()
assert len(GUIDE_IDS) == len(set(GUIDE_IDS)) == 45

here = Path(__file__).resolve().parent
ok = True
for lang in ("en", "zh"):
    path = here / f"queries-{lang}.jsonl"
    cov, seen, errors = Counter(), set(), []
    n = oos = multi = 0
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"line {i}: bad JSON ({e})"); continue
        if set(obj) != {"query", "relevant", "lang"} or not isinstance(obj["relevant"], list):
            errors.append(f"line {i}: wrong keys/types"); continue
        if obj["lang"] != lang:
            errors.append(f"line {i}: lang {obj['lang']!r}")
        q = obj["query"]
        if not q or q != re.sub(r"\s+", " ", q).strip():
            errors.append(f"line {i}: empty or unnormalised whitespace")
        key = q.casefold()
        if key in seen:
            errors.append(f"line {i}: duplicate query {q!r}")
        seen.add(key)
        bad = [g for g in obj["relevant"] if g not in GUIDE_IDS]
        if bad or len(set(obj["relevant"])) != len(obj["relevant"]):
            errors.append(f"line {i}: unknown/duplicate ids {obj['relevant']}")
        n += 1
        oos += not obj["relevant"]
        multi += len(obj["relevant"]) > 1
        cov.update(obj["relevant"])
    low = {g: cov[g] for g in GUIDE_IDS if cov[g] < 3}
    if low: errors.append(f"guides covered < 3 times: {low}")
    if n < 220: errors.append(f"only {n} queries")
    if oos / n < 0.25: errors.append(f"out-of-scope share {oos/n:.1%} < 25%")
    print(f"{lang}: {n} queries, {n-oos} in scope ({multi} with >1 relevant), {oos} out of scope ({oos/n:.1%}); "
          f"per-guide coverage min {min(cov[g] for g in GUIDE_IDS)} max {max(cov[g] for g in GUIDE_IDS)}; "
          f"{len(errors)} errors")
    for e in errors: print("  ", e)
    ok &= not errors
sys.exit(0 if ok else 1)
