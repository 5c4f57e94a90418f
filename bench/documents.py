"""Documents: the median time to render the relief decision against a one-line PDF in the
same font, both through the renderer the application uses (one font configuration and one
parsed stylesheet, reused between renders), in CPU time; and the decision's file size.
"""

from __future__ import annotations

import time
from datetime import date

from weasyprint import HTML

from bench.common import median
from bench.report import Figure
from relief.core.documents import _renderer, render_pdf

#: the decision may take at most twice as long as the one-line document
RATIO_LIMIT = 2.0
SIZE_LIMIT_KB = 300
ONE_LINE = '<!DOCTYPE html><html lang="zh-CN"><body><p>盘锦市中级人民法院</p></body></html>'


def decision_context() -> dict:
    """A relief decision as relief.assistance.paperwork hands it over (masked identities)."""
    court = "辽宁省盘锦市中级人民法院"
    return {
        "court_name": court,
        "document_number": "（2025）辽11司救执3号",
        "case_number": "（2023）辽1103执36号",
        "decision_number": "（2025）辽11司救执3号",
        "cause": "机动车交通事故责任纠纷",
        "basis_document": "辽宁省盘锦市兴隆台区人民法院（2022）辽1103民初2187号民事判决书",
        "applicant": {
            "name": "刘秀兰",
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
        "amount_capitals": "人民币伍万元整",
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
        "claim_id": "clm_3q9Xw0bVd1pQ7mZt",
        "issued_on": date(2025, 10, 9),
        "verify_url": "https://relief.panjin-court.example/verify/d-7Kq2mX9rTb4wLz",
    }


def one_line_pdf() -> bytes:
    """One line of Chinese in the documents' body font, through the same renderer."""
    renderer = _renderer()
    document = HTML(string=ONE_LINE, url_fetcher=renderer.fetcher)
    return document.write_pdf(stylesheets=[renderer.stylesheet], font_config=renderer.font_config)


def _median_seconds(render, runs: int) -> tuple[float, bytes]:
    render()  # the first render loads the fonts
    times, output = [], b""
    for _ in range(runs):
        # CPU time: a render runs on one thread, and other work on the machine would
        # otherwise be counted as the renderer's
        started = time.process_time()
        output = render()
        times.append(time.process_time() - started)
    return median(times), output


def run(quick: bool = False) -> list[Figure]:
    """Render each document repeatedly; return the medians, their ratio and the size."""
    runs = 5 if quick else 21
    context = decision_context()
    decision, pdf = _median_seconds(lambda: render_pdf("relief_decision.html", context), runs)
    one_line, _ = _median_seconds(one_line_pdf, runs)
    return [
        Figure("PDF: one-line document, median", one_line * 1000, "ms"),
        Figure("PDF: relief decision, median", decision * 1000, "ms"),
        Figure("PDF: decision vs one-line", decision / one_line, "×", RATIO_LIMIT),
        Figure("PDF: relief decision, file size", len(pdf) / 1024, "KB", SIZE_LIMIT_KB),
    ]
