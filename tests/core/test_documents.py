"""The court's PDFs: a judge's relief decision, the claim to the insurer, the notice to collect."""

from __future__ import annotations

import io
from datetime import date

import pypdfium2
import pytest
import segno
from fontTools.ttLib import TTFont
from jinja2 import UndefinedError
from pypdf import PdfReader
from pypdf.generic import DictionaryObject
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from relief.core.documents import (
    ResourceRefusedError,
    _renderer,
    chinese_date,
    qr_svg,
    render_pdf,
    sha256_hex,
)

COURT = "辽宁省盘锦市中级人民法院"
CASE_NUMBER = "（2023）辽1103执36号"
DECISION_NUMBER = "（2025）辽11司救执3号"
APPLICANT = "刘秀兰"
CAPITALS = "人民币伍万元整"  # the capitals converter is built and tested elsewhere
VERIFY_URL = "https://relief.panjin-court.example/verify/d-7Kq2mX9rTb4wLz"
CONTACT = {
    "department": "执行局司法救助办公室",
    "person": "孙丽娜",
    "phone": "0427-2866135",
    "address": "辽宁省盘锦市兴隆台区市府大街118号",
}


def decision_context() -> dict:
    """Return a relief decision as the relief module would hand it over."""
    return {
        "court_name": COURT,
        "document_number": DECISION_NUMBER,
        "case_number": CASE_NUMBER,
        "cause": "机动车交通事故责任纠纷",
        "basis_document": "辽宁省盘锦市兴隆台区人民法院（2022）辽1103民初2187号民事判决书",
        "applicant": {
            "name": APPLICANT,
            "id_number_masked": "2111**********3165",
            "category_label": "道路交通事故人身损害受害人",
        },
        "respondent": {
            "name": "王建军",
            "id_label": "公民身份号码",
            "id_number_masked": "2111**********5012",
        },
        "target_amount": "¥1,392,500.00",
        "unpaid_amount": "¥1,392,500.00",
        "amount": "¥50,000.00",
        "amount_capitals": CAPITALS,
        "terminated_round": True,
        "terminated_on": date(2024, 5, 20),
        "reasons": [
            "救助申请人因交通事故致二级伤残，基本丧失劳动能力，需长期治疗，家庭无稳定收入来源，"
            "所在社区出具的证明材料证实其家庭生活困难；",
            "被执行人名下无可供执行的财产，该案经穷尽财产调查措施仍未能执行到位；",
            "救助申请人未获得其他赔偿、补偿或者社会救助，对案件的发生无重大过错。",
        ],
        "legal_basis": [
            "《最高人民法院关于加强和规范人民法院国家司法救助工作的意见》第三条、第五条",
            "《人民法院国家司法救助案件办理程序规定（试行）》的有关条款",
        ],
        "proposed_by": "王立新",
        "approved_by": "赵振国",
        "insurer_name": "中国人民财产保险股份有限公司盘锦市分公司",
        "policy_number": "PICC-PJ-JXJZ-2025-0007",
        "issued_on": date(2025, 10, 9),
        "verify_url": VERIFY_URL,
    }


def claim_context() -> dict:
    """Return the claim the court sends the insurer after the decision."""
    return {
        "court_name": COURT,
        "document_number": "（2025）辽11司救执3号之一",
        "insurer_name": "中国人民财产保险股份有限公司盘锦市分公司",
        "policy_number": "PICC-PJ-JXJZ-2025-0007",
        "applicant": {"name": APPLICANT, "id_number_masked": "2111**********3165"},
        "case_number": CASE_NUMBER,
        "decision_number": DECISION_NUMBER,
        "amount": "¥50,000.00",
        "amount_capitals": CAPITALS,
        "attachments": ["受益人居民身份证复印件", "生活困难证明"],
        "contact": CONTACT,
        "issued_on": date(2025, 10, 10),
        "verify_url": VERIFY_URL,
    }


def notice_context() -> dict:
    """Return the notice telling the applicant the insurer has paid."""
    return {
        "court_name": COURT,
        "document_number": "（2025）辽11司救执3号之二",
        "applicant": {"name": APPLICANT},
        "case_number": CASE_NUMBER,
        "decision_number": DECISION_NUMBER,
        "decided_on": date(2025, 10, 9),
        "amount": "¥50,000.00",
        "amount_capitals": CAPITALS,
        "insurer_name": "中国人民财产保险股份有限公司盘锦市分公司",
        "policy_number": "PICC-PJ-JXJZ-2025-0007",
        "paid_on": date(2025, 11, 14),
        "transaction_reference": "PJ20251114000381",
        "payee_account_masked": "6217 **** **** 4418",
        "contact": CONTACT,
        "issued_on": date(2025, 11, 17),
        "verify_url": VERIFY_URL,
    }


DOCUMENTS = {
    "relief_decision.html": decision_context,
    "relief_claim.html": claim_context,
    "collection_notice.html": notice_context,
}


def pdf_text(pdf: bytes) -> str:
    """Return the text of every page, without the line breaks layout puts in."""
    reader = PdfReader(io.BytesIO(pdf))
    return "".join(page.extract_text() for page in reader.pages).replace("\n", "")


def embedded_fonts(pdf: bytes) -> tuple[set[str], set[str]]:
    """Return the BaseFont names and the embedded programs' PostScript names of every font.

    Walks each page's /Resources /Font, the descendant fonts of composite fonts, and the
    resources of form XObjects.
    """
    base_fonts: set[str] = set()
    programs: set[str] = set()

    def add_descriptor(font: DictionaryObject) -> None:
        descriptor = font.get("/FontDescriptor")
        if descriptor is None:
            return
        descriptor = descriptor.get_object()
        for key in ("/FontFile", "/FontFile2", "/FontFile3"):
            if key in descriptor:
                program = TTFont(io.BytesIO(descriptor[key].get_object().get_data()))
                programs.add(program["name"].getDebugName(6))

    def walk(resources: DictionaryObject) -> None:
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            base_fonts.add(str(font["/BaseFont"]))
            add_descriptor(font)
            for descendant in font.get("/DescendantFonts") or []:
                descendant = descendant.get_object()
                base_fonts.add(str(descendant["/BaseFont"]))
                add_descriptor(descendant)
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if "/Resources" in xobject:
                walk(xobject["/Resources"].get_object())

    for page in PdfReader(io.BytesIO(pdf)).pages:
        walk(page["/Resources"].get_object())
    return base_fonts, programs


def page_image(pdf: bytes, index: int, scale: float = 1.0):
    """Render one page to a greyscale Pillow image (scale 1 is 72 dpi)."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[index if index >= 0 else len(document) + index]
        return page.render(scale=scale, grayscale=True).to_pil().convert("L")
    finally:
        document.close()


def dark_fraction(image) -> float:
    """Return the share of pixels darker than mid-grey."""
    histogram = image.histogram()
    return sum(histogram[:128]) / (image.width * image.height)


def printed_qr_modules(image, dpi: float) -> list[list[bool]]:
    """Read back the QR code printed left of the verification note, one bool per module.

    The verification block sits under a hairline; its first 28 mm column holds the code.
    The bounding box of the dark pixels there is the symbol without its quiet zone, and the
    colour at each module's centre is the module.
    """
    mm = dpi / 25.4
    rows = [
        y
        for y in range(image.height // 3, image.height)
        if dark_fraction(image.crop((0, y, image.width, y + 1))) > 0.5
    ]
    hairline = rows[-1]

    strip = image.crop((round(25 * mm), hairline + 2, round(56 * mm), image.height))
    dark = strip.point(lambda value: 255 if value < 128 else 0)
    left, top, right, bottom = dark.getbbox()
    assert abs((right - left) - (bottom - top)) <= 2, "the QR code is not square"

    size = segno.make(VERIFY_URL, error="m", boost_error=False).symbol_size(border=0)[0]
    module = (right - left) / size
    return [
        [
            strip.getpixel((round(left + (x + 0.5) * module), round(top + (y + 0.5) * module)))
            < 128
            for x in range(size)
        ]
        for y in range(size)
    ]


@pytest.fixture(scope="module", params=sorted(DOCUMENTS))
def rendered(request) -> tuple[str, bytes]:
    """Render one document once for all the checks on it."""
    return request.param, render_pdf(request.param, DOCUMENTS[request.param]())


def test_the_text_a_reader_needs_is_in_the_pdf(rendered):
    name, pdf = rendered
    text = pdf_text(pdf)

    assert pdf.startswith(b"%PDF-")
    assert CASE_NUMBER in text
    assert CAPITALS in text
    assert APPLICANT in text
    assert "第 1 页 共" in text
    if name == "relief_decision.html":
        assert "国家司法救助金¥50,000.00（大写人民币伍万元整）" in text
        assert "二〇二五年十月九日" in text
        assert "2024年5月20日裁定终结本次执行程序" in text
    if name == "relief_claim.html":
        assert "由申请人另行提供" in text
        assert DECISION_NUMBER in text
    if name == "collection_notice.html":
        assert "PJ20251114000381" in text
        assert "2025年11月14日" in text


def test_the_chinese_fonts_are_embedded_and_nothing_else(rendered):
    _name, pdf = rendered

    # Text extracts even when a font silently failed to load, so check what was embedded:
    # the subset names (ABCDEF+Noto-Serif-SC) and the PostScript names inside the programs.
    base_fonts, programs = embedded_fonts(pdf)

    assert {name.split("+", 1)[1] for name in base_fonts} == {
        "Noto-Serif-SC",
        "Noto-Sans-SC-Bold",
    }
    assert programs == {"NotoSerifSC-Regular", "NotoSansCJKjp-Bold"}


def test_the_page_is_drawn_and_carries_the_qr_code(rendered):
    _name, pdf = rendered

    # Page 1 holds the heading and text; a blank or boxes-only page has almost no ink.
    first = page_image(pdf, 0)
    assert 0.02 < dark_fraction(first) < 0.5
    assert dark_fraction(first.crop((0, 0, first.width, first.height // 4))) > 0.01

    # The QR code closes the document: read its modules off the last page and compare them
    # with the code for the verification URL (nothing here decodes QR codes).
    dpi = 300
    last = page_image(pdf, -1, scale=dpi / 72)
    expected = [
        [bool(value) for value in row]
        for row in segno.make(VERIFY_URL, error="m", boost_error=False).matrix
    ]
    assert printed_qr_modules(last, dpi) == expected


def test_the_file_stays_small(rendered):
    _name, pdf = rendered

    assert len(pdf) < 300 * 1024


def test_the_documents_render_again_with_the_shared_fonts():
    first = render_pdf("relief_decision.html", decision_context())
    second = render_pdf("relief_decision.html", decision_context())

    assert _renderer() is _renderer()
    assert APPLICANT in pdf_text(second)
    assert embedded_fonts(second)[1] == {"NotoSerifSC-Regular", "NotoSansCJKjp-Bold"}
    assert abs(len(first) - len(second)) < 1024


def test_a_decision_during_enforcement_says_so_instead_of_citing_a_termination():
    context = decision_context() | {"terminated_round": False, "terminated_on": None}

    text = pdf_text(render_pdf("relief_decision.html", context))

    assert "该案目前仍在执行中" in text
    assert "终结本次执行程序" not in text


def test_the_optional_values_can_be_left_out():
    claim = claim_context()
    del claim["contact"], claim["attachments"]
    notice = notice_context()
    del notice["contact"], notice["decided_on"], notice["payee_account_masked"]
    decision = decision_context()
    del decision["terminated_on"]

    claim_text = pdf_text(render_pdf("relief_claim.html", claim))
    notice_text = pdf_text(render_pdf("collection_notice.html", notice))
    decision_text = pdf_text(render_pdf("relief_decision.html", decision))

    assert f"收款人{APPLICANT}" in claim_text.replace(" ", "")
    assert "联系人" not in claim_text
    assert "本院作出（2025）辽11司救执3号国家司法救助决定" in notice_text
    assert "于2025年11月14日支付，交易流水号" in notice_text
    assert "到本院司法救助工作部门签署" in notice_text
    assert "已裁定终结本次执行程序" in decision_text


def test_the_claim_prints_the_account_when_the_applicant_gave_one():
    context = claim_context() | {"payee_account_masked": "6217 **** **** 4418"}
    context["payee_bank"] = "中国工商银行盘锦兴隆台支行"

    text = pdf_text(render_pdf("relief_claim.html", context))

    assert "6217 **** **** 4418" in text
    assert "中国工商银行盘锦兴隆台支行" in text
    assert "由申请人另行提供" not in text


def test_markup_in_a_context_value_is_printed_not_fetched():
    context = decision_context()
    context["applicant"]["name"] = '<img src="file:///etc/passwd">刘秀兰'

    pdf = render_pdf("relief_decision.html", context)

    assert '<img src="file:///etc/passwd">刘秀兰' in pdf_text(pdf)
    assert b"root:" not in pdf


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "http://example.com/logo.png", "https://example.com/font.otf"],
)
def test_the_fetcher_refuses_anything_but_the_fonts(url):
    fetcher = _renderer().fetcher

    with pytest.raises(ResourceRefusedError):
        fetcher(url)


def test_a_resource_in_a_template_stops_the_render():
    renderer = _renderer()
    html = HTML(string='<p>正文<img src="file:///etc/passwd"></p>', url_fetcher=renderer.fetcher)

    with pytest.raises(FatalURLFetchingError):
        html.write_pdf(stylesheets=[renderer.stylesheet], font_config=renderer.font_config)


def test_a_missing_value_fails_instead_of_printing_a_gap():
    context = decision_context()
    del context["amount_capitals"]

    with pytest.raises(UndefinedError):
        render_pdf("relief_decision.html", context)


def test_objects_are_refused_in_a_context():
    context = decision_context() | {"applicant": object()}

    with pytest.raises(TypeError):
        render_pdf("relief_decision.html", context)


@pytest.mark.parametrize(
    ("day", "written"),
    [
        (date(2025, 10, 9), "二〇二五年十月九日"),
        (date(2024, 12, 31), "二〇二四年十二月三十一日"),
        (date(2030, 1, 20), "二〇三〇年一月二十日"),
        (date(2026, 11, 10), "二〇二六年十一月十日"),
    ],
)
def test_chinese_date(day, written):
    assert chinese_date(day) == written


def test_qr_svg_is_inline_markup_without_xml_declaration():
    svg = qr_svg(VERIFY_URL)

    assert svg.startswith("<svg")
    assert "<?xml" not in svg
    assert VERIFY_URL not in svg
    assert str(svg.__html__()) == str(svg)


def test_sha256_hex():
    assert sha256_hex(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
