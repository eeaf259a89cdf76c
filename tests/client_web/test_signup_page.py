"""The sign-up page in real Chromium, on the real conductor: sign up, personal QR (decoded by zxing-cpp),
calendar file, the waiting list, cancel and delete, promotion; the console's panel and CSV export."""

from __future__ import annotations

import io
import json
import shutil

from flashmob.contract.signups import FORMAT, SIGNUP_FILE

from .test_participant import open_console, open_phone, wait_for

NOTICE = "Votre pseudo sert à imprimer votre badge.\nIl est effacé 30 jours après le spectacle."


def decode_qr(png: bytes) -> list[str]:
    import zxingcpp
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def test_sign_up_cancel_and_promotion_in_chromium(browser, conductor_server, real_bundle, tmp_path):
    from flashmob.cli.serve import signup_event

    bundle = tmp_path / "signup-bundle"
    shutil.copytree(real_bundle, bundle)
    (bundle / SIGNUP_FILE).write_text(json.dumps({"format": FORMAT, "version": 1, "privacy": NOTICE,
                                                  "email": "optional", "capacity": 1}))
    srv = conductor_server(bundle_dir=bundle, signup_code="place-2027")
    event, _ = signup_event(srv.conductor.bundle.manifest, start="2099-06-13T18:00+02:00")
    srv.app.state.signups.event = event  # the date flashmob serve reads from the score's event block

    ctx, page = open_phone(browser, srv.url + "/signup")  # fr-FR
    wait_for(page, "document.body.dataset.screen === 'form'")
    assert page.inner_text("#privacy") == NOTICE and page.inner_text("#submit") == "M’inscrire"
    assert page.is_visible("#email") and page.is_visible("#code")
    page.fill("#name", "Zoë")
    page.click("#submit")
    assert "Cochez la case" in page.inner_text("#error")  # no consent: nothing sent
    page.check("#consent")
    page.fill("#code", "wrong")
    page.click("#submit")
    wait_for(page, "document.getElementById('error').textContent.includes('code d’invitation')")
    page.fill("#code", "place-2027")
    page.click("#submit")
    wait_for(page, "document.body.dataset.screen === 'mine'")
    view = page.evaluate("window.flashmobSignup.view")
    assert view["status"] == "confirmed" and "Zoë" in page.inner_text("#status")
    assert page.inner_text("#group-name") == f"Votre groupe : {view['group_name']}"
    assert decode_qr(page.locator("#qr").screenshot()) == [view["join_url"]]
    assert page.get_attribute("#join", "href") == view["join_url"] and "?i=" in view["join_url"]
    assert "#me=" in page.url and page.evaluate("window.flashmobSignup.key") in page.url
    with page.expect_download() as dl:
        page.click("#calendar")
    ics = open(dl.value.path(), encoding="utf-8").read().replace("\r\n ", "")
    assert "BEGIN:VCALENDAR" in ics and "DTSTART:20990613T160000Z" in ics and f"URL:{view['join_url']}" in ics

    # a second person gets the waiting list
    ctx2, page2 = open_phone(browser, srv.url + "/signup", locale="en-US")  # the score's language comes first
    wait_for(page2, "document.body.dataset.screen === 'form'")
    page2.fill("#name", "@late")
    page2.fill("#code", "place-2027")
    page2.check("#consent")
    page2.click("#submit")
    wait_for(page2, "document.body.dataset.screen === 'mine'")
    assert "n° 1 sur la liste d’attente" in page2.inner_text("#status") and not page2.is_visible("#qr")

    # the console shows both and exports the badge CSV
    cctx, console = open_console(browser, srv)
    console.wait_for_selector("#signups-panel:not([hidden])")
    wait_for(console, "document.getElementById('signups-totals').textContent.includes('1 waiting')")
    assert console.inner_text("#signups-totals").startswith("1 signed up")
    with console.expect_download() as dl:
        console.click("#signups-csv")
    csv_rows = open(dl.value.path(), encoding="utf-8").read().splitlines()
    assert csv_rows == ["name,handle,group,participant_id", f"Zoë,,{view['group']},{view['participant_id']}"]

    # the personal link still opens the person's page; cancelling deletes and promotes the next
    page.reload()
    wait_for(page, "document.body.dataset.screen === 'mine'")
    page.on("dialog", lambda d: d.accept())
    page.click("#cancel")
    wait_for(page, "document.body.dataset.screen === 'deleted'")
    assert "#me=" not in page.url and page.evaluate("localStorage.getItem('flashmob-signup-key')") is None
    page2.reload()
    wait_for(page2, "document.body.dataset.screen === 'mine'")
    assert page2.inner_text("#status") == "Vous êtes inscrit·e, @late."
    promoted = page2.evaluate("window.flashmobSignup.view")
    assert decode_qr(page2.locator("#qr").screenshot()) == [promoted["join_url"]]
    wait_for(console, "document.getElementById('signups-detail').textContent.startsWith('1 cancelled')", 15)

    # on the day, the personal link opens the participant page with that id, in that group (a page that
    # knows its id joins by itself, as a returning phone does)
    from urllib.parse import urlsplit

    ctx3, phone = open_phone(browser, srv.url + "/?" + urlsplit(promoted["join_url"]).query)
    wait_for(phone, "window.flashmob.report().group !== null")  # the welcome came (the pid is the URL's from the start)
    assert phone.evaluate("window.flashmob.report()")["group"] == promoted["group"]
    assert phone.evaluate("window.flashmob.keeper.get('participant_id')") == promoted["participant_id"]  # welcomed
    # an id the conductor does not take (an old badge of a show rendered again): a new one, and the URL forgets it
    forged = promoted["participant_id"][:-4] + "AAAA"
    ctx4, stray = open_phone(browser, f"{srv.url}/?i={forged}")
    wait_for(stray, "window.flashmob.report().group !== null")
    assert stray.evaluate("window.flashmob.report().pid") != forged and "i=" not in stray.url
    for c in (ctx4, ctx3, cctx, ctx2, ctx):
        c.close()
