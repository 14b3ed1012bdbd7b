"""Overlap discovery in two real browsers: Ada (Acme) starts a run with Beta, Bo joins; each
picks a CSV that is read and blinded in its own browser with the vendored libsodium.js, and
both see the account-mapping matrix and the records the other shares. The browser's key
normalization agrees with the server's on the Public Suffix List's own test cases."""

import re
from importlib import resources

import pytest
from playwright.sync_api import expect

from consortia.overlap import keys
from consortia.overlap.models import Run
from tests.browser.helpers import sign_in
from tests.overlap.conftest import domains, keys_csv, make_pair

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def csv_file(name, records):
    return {"name": name, "mimeType": "text/csv", "buffer": keys_csv(records)}


def psl_inputs() -> list[str]:
    text = resources.files("publicsuffixlist").joinpath("test_psl.txt").read_text("utf-8")
    hosts = re.findall(r"checkPublicSuffix\('([^']*)'", text)
    values = []
    for host in hosts:
        values += [host, f"https://www.{host}/x", f"someone@{host}"]
    extra = ["DE 811 907 980", "HRB-12345/B", "123.456.789", "  ACME.com ", "bücher.de"]
    return [*values, *extra, "Jane <jane@acme.fr>", "http://user@shop.acme.de:8080/"]


def test_two_partners_compare_lists_in_their_browsers(new_page, shoot, world):
    make_pair(world)
    a_records = {k: {"name": f"Acme's {k}"} for k in domains("a", range(40))}
    b_records = {
        k: {"name": f"Beta's {k}", "stage": "Proposal"} for k in domains("a", range(25, 60))
    }

    ada = new_page()
    sign_in(ada, world.leader)
    ada.goto("/n/northwind/overlap/")
    shoot(ada, "overlap-home")
    ada.get_by_label("Partner", exact=True).select_option(label="Beta Works")
    ada.get_by_role("group", name="Your populations to compare").get_by_label("Customers").check()
    ada.get_by_role("button", name="Start a run").click()
    ada.wait_for_url(re.compile(r".*/overlap/runs/[0-9a-f-]+/$"))
    run_url = ada.url
    ada.set_input_files("input[type=file]", files=[csv_file("acme.csv", a_records)])
    ada.get_by_role("button", name="Compare").click()
    expect(ada.locator("[data-overlap-message]")).to_contain_text("Waiting for the other side")
    shoot(ada, "ada-waiting")

    bo = new_page(375, 800)
    sign_in(bo, world.other_leader)
    bo.goto(run_url)
    bo.get_by_role("group", name="Your populations to compare").get_by_label("Customers").check()
    bo.get_by_role("button", name="Choose").click()
    # A file in another encoding is refused in the browser, next to its field; nothing is sent.
    bo.set_input_files(
        "input[type=file]",
        files=[{"name": "latin.csv", "mimeType": "text/csv",
                "buffer": "key\nsociété.example\n".encode("latin-1")}],
    )  # fmt: skip
    bo.get_by_role("button", name="Compare").click()
    expect(bo.locator("[data-overlap-note]")).to_contain_text("not UTF-8")
    shoot(bo, "bo-bad-file")
    bo.set_input_files("input[type=file]", files=[csv_file("beta.csv", b_records)])
    bo.get_by_role("button", name="Compare").click()

    for page, who in ((ada, "ada"), (bo, "bo")):
        expect(page.locator("[data-overlap-matrix] td.num")).to_have_text("15", timeout=60_000)
        expect(page.locator("[data-overlap-records-table] tbody tr")).to_have_count(15)
        shoot(page, f"{who}-results")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    expect(ada.locator("[data-overlap-records-table]")).to_contain_text("Proposal")
    expect(bo.locator("[data-overlap-records-table]")).to_contain_text("Acme's a30.example")
    run = Run.objects.get()
    assert run.status == "complete" and run.matrix[0]["count"] == 15
    # Bo's browser keeps the records' key: after a reload they are still readable there.
    bo.reload()
    expect(bo.locator("[data-overlap-records-table] tbody tr")).to_have_count(15)
    with bo.expect_download() as download:
        bo.get_by_role("button", name="Download the records (CSV)").click()
    with open(download.value.path(), encoding="utf-8") as handle:
        text = handle.read()
    assert text.startswith("key,your_population") and "a30.example" in text

    # The browser normalizes keys exactly as the server does (on a page that no longer waits),
    # under the site's own Content-Security-Policy for these pages: the worker reports no
    # violation (without 'wasm-unsafe-eval' libsodium would fall back to asm.js, and say so).
    # The run page reloads itself once the run's state changes: let it settle first, or its
    # reload aborts the navigation below.
    expect(ada.locator("[data-overlap-wait]")).to_have_count(0, timeout=30_000)
    ada.wait_for_load_state("load")
    response = ada.goto(run_url)
    policy = response.headers["content-security-policy"]
    assert "'wasm-unsafe-eval'" in policy and "'unsafe-inline'" not in policy
    expect(ada.locator("[data-overlap-records-table] tbody tr")).to_have_count(15)
    shoot(ada, "ada-complete")
    values = psl_inputs()
    got = ada.evaluate(
        """async (values) => {
          const root = document.getElementById('overlap-run');
          const worker = new Worker(root.dataset.worker);
          const rules = (await (await fetch(root.dataset.psl)).json()).rules;
          const call = (msg) => new Promise((resolve, reject) => {
            worker.onmessage = (e) => e.data.type === 'done' ? resolve(e.data)
              : e.data.type === 'error' ? reject(e.data.message) : null;
            worker.postMessage(msg);
          });
          const init = await call({cmd: 'init', id: 1, rules,
                                   libs: [root.dataset.libSodium, root.dataset.libWrappers]});
          return [init.violations, (await call({cmd: 'normalize', id: 2, values})).keys];
        }""",
        values,
    )
    violations, normalized = got
    assert violations == []
    assert normalized == [keys.normalize(v) for v in values]


def test_a_stale_tab_speaking_another_protocol_is_told_to_reload(new_page, shoot, world):
    """A tab whose worker speaks v1 (loaded before v2, or from a stale cache) is refused with
    the server's sentence, and sends nothing; after a reload it can take part."""
    pair = make_pair(world)
    from consortia.overlap import services
    from consortia.overlap.models import Blob
    from tests.conftest import fresh

    run = services.run_start(
        actor=fresh(world.leader),
        network=world.network,
        partner=world.beta,
        population_ids=[pair.acme_pop.pk],
    )
    ada = new_page()
    sign_in(ada, world.leader)

    def old_worker(route):
        body = route.fetch().text().replace("var PROTOCOL = 2;", "var PROTOCOL = 1;")
        route.fulfill(body=body, content_type="text/javascript")

    ada.context.route("**/overlap/overlap-worker.js", old_worker)
    ada.goto(f"/n/northwind/overlap/runs/{run.uuid}/")
    expect(ada.locator("[data-overlap-protocol]")).to_have_text("Protocol: v2.")
    records = {k: {"name": k} for k in domains("a", range(30))}
    ada.set_input_files("input[type=file]", files=[csv_file("acme.csv", records)])
    ada.get_by_role("button", name="Compare").click()
    expect(ada.locator("[data-overlap-message]")).to_contain_text(
        "This run uses overlap protocol v2 and your page or client speaks v1: reload the page"
    )
    shoot(ada, "stale-tab-refused")
    assert not Blob.objects.filter(run=run).exists()
    ada.context.unroute("**/overlap/overlap-worker.js")
    ada.reload()
    ada.set_input_files("input[type=file]", files=[csv_file("acme.csv", records)])
    ada.get_by_role("button", name="Compare").click()
    expect(ada.locator("[data-overlap-message]")).to_contain_text("Waiting for the other side")
    assert Blob.objects.filter(run=run, kind="blinded").exists()


def test_restricted_accounts_are_hashed_in_the_browser(new_page, shoot, world):
    from consortia.overlap import services
    from consortia.overlap.models import RestrictedList

    ada = new_page(375, 800)
    sign_in(ada, world.leader)
    sent = []
    ada.on("request", lambda request: sent.append(request.post_data or ""))
    ada.goto("/n/northwind/overlap/")
    ada.get_by_label("Accounts to add").fill("https://www.secret-account.example/\nDE 811 907 980")
    ada.get_by_role("button", name="Update the restricted list").click()
    expect(ada.locator("#restricted")).to_contain_text("2 accounts never take part")
    shoot(ada, "restricted-375")
    assert ada.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    salt = RestrictedList.objects.get(organization=world.acme).salt
    assert RestrictedList.objects.get().digests == [
        services.restricted_digest(salt, "d:secret-account.example"),
        services.restricted_digest(salt, "r:DE811907980"),
    ]
    # The typed accounts in any encoding a form or a script could send them in (not a bare
    # "811", which a hex digest or a token holds by chance about once in thirty runs).
    typed = ("secret-account", "DE811907980", "811 907", "811+907", "811%20907", "DE+811")
    assert not any(text in body for body in sent for text in typed)
