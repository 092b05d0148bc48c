"""The 审核 page and what each role sees, through AppTest over a copy of the demo warehouse: a 统计员's correction
waits for review (hatched for staff, absent for leaders), a 审核员 confirms each warning and approves — or returns
with a reason the 统计员 reads —, the sidebar's 市州 filter what is drawn but never the province's figures."""

from __future__ import annotations

import pytest

from etl import accounts, charts, roles
from etl.pipeline import LOADED, load_bytes
from tests.apptest import array, bar_colors, bar_values, figures, new_app, open_page, switch, texts
from tests.conftest import filled_template, stored, with_sheet_named
from ui import plain

CHANGSHA = "430100"
# 长沙市 corrects its 2024 就业创业: 招聘会 130 (was 117); 实现就业妇女人数 above 提供就业岗位数 is a warning.
CORRECTION = {"举办招聘会场次": 130, "提供就业岗位数": 13000, "实现就业妇女人数": 13289}


def send_correction(db, file_name: str = "长沙2024更正.xlsx", note: str = "含县级招聘会，已核实", sheet: str = ""):  # noqa: ANN001, ANN201
    values = {("就业创业", "长沙市", name): value for name, value in CORRECTION.items()}
    data = filled_template(2024, values, region_code=CHANGSHA)
    data = with_sheet_named(data, "就业创业", sheet) if sheet else data
    report = load_bytes(data, file_name, db, actor=roles.User("cs", roles.STATISTICIAN, CHANGSHA), note=note)
    assert report.status == LOADED and [w.code for w in report.warnings] == ["employed-exceeds-jobs"]
    return db


@pytest.fixture
def corrected(demo_copy):  # noqa: ANN201 - the warehouse path
    return send_correction(demo_copy)


def fairs_bar(at) -> dict[str, float]:  # noqa: ANN001
    at.selectbox(key="jobs_indicator").set_value("job_fairs").run()
    return bar_values(figures(at)[0])


def review_page(user: str = "rev"):  # noqa: ANN201 - an AppTest
    at = open_page(new_app(user), "app_pages/review.py", year=2024)
    assert at.dataframe[0].value["上报编号"].tolist() == [10]
    return at


def test_leaders_see_the_published_figure_staff_see_the_correction_hatched(corrected):
    leader = open_page(new_app("leader"), "app_pages/jobs.py", year=2024)
    assert not leader.toggle  # no 含待审核数据 for a 领导
    assert fairs_bar(leader)["长沙市"] == 117
    staff = open_page(new_app("admin"), "app_pages/jobs.py", year=2024)
    assert fairs_bar(staff)["长沙市"] == 117  # staff too, until they ask
    staff.toggle(key="filter_pending").set_value(True).run()
    drawn, lines = figures(staff)
    bar = drawn["data"][0]
    shapes = dict(zip(array(bar["y"]), bar["marker"]["pattern"]["shape"], strict=True))
    assert bar_values(drawn)["长沙市"] == 130
    assert shapes["长沙市"] == "/" and shapes["株洲市"] == ""  # hatched over the one colour
    assert "130场（待审核）" in bar["customdata"]
    changsha = next(t for t in lines["data"] if t["name"] == "长沙市")  # its panel: 2024 an open diamond
    first = lines["layout"]["template"]["data"]["scatter"][0]["x0"]  # every line starts there, a year a point
    symbols = array(changsha["marker"]["symbol"])
    assert dict(zip(range(first, first + len(symbols)), symbols, strict=True))[2024] == charts.OPEN_DIAMOND
    assert staff.dataframe[0].value.loc["长沙市", "2024年"] == "130（待审核）"
    assert staff.dataframe[0].value.loc["株洲市", "2024年"] == "61"
    assert "斜线为待审核数据。" in " ".join(texts(staff.caption))
    assert staff.query_params["pending"] == "1"


def test_reviewer_confirms_each_warning_then_approves_and_leaders_see_it(corrected):
    at = review_page()
    values = at.dataframe[1].value.set_index("指标")
    columns = ["上报值", "现已发布", "上年（已发布）", "与已发布相比", "来源单元格"]
    assert values.loc["举办招聘会场次", columns].tolist() == ["130", "117", "104", "117 → 130", "就业创业!B5"]
    assert "统计员的上报说明：含县级招聘会，已核实" in texts(at.text)
    approve = next(b for b in at.button if b.label == "审核通过")
    assert approve.proto.disabled
    assert "还有 1 条警告未勾选确认。" in texts(at.caption)
    (confirm,) = at.checkbox
    # A label is Markdown: the text (a sheet name from the file in it) goes through ui.plain, shown as typed.
    assert confirm.label == plain.markdown(
        "已核实 就业创业!F5 实现就业妇女人数：实现就业妇女人数（13289）大于提供就业岗位数（13000），请核实。"
    )
    confirm.check().run()
    next(b for b in at.button if b.label == "审核通过").click().run()
    assert texts(at.success) == [
        "已审核通过第 10 号上报（1 组）：数据已发布并审核锁定，领导即可看到。",
        "没有待审核的数据。",
    ]
    leader = open_page(new_app("leader"), "app_pages/jobs.py", year=2024)
    assert fairs_bar(leader)["长沙市"] == 130
    progress = open_page(new_app("cs"), "app_pages/progress.py", year=2024).dataframe[0].value
    assert progress.loc["长沙市", "就业创业"].startswith("部分 3/7 · 已审核 · ")  # the other four left blank
    assert progress.loc["长沙市", "审核"] == "已审核锁定 1 类"


def test_reviewer_returns_with_a_reason_the_statistician_reads(corrected):
    at = review_page()
    at.text_area(key="review_reason_10").input("岗位数少填了一位，请核对后重报").run()
    next(b for b in at.button if b.label == "退回").click().run()
    assert texts(at.success) == ["已退回第 10 号上报（1 组），统计员将看到退回原因。", "没有待审核的数据。"]
    assert stored(corrected, 2024)[("长沙市", 2024, "举办招聘会场次")] == 117  # staff see the published one again

    upload = open_page(new_app("cs"), "app_pages/upload.py")
    assert texts(upload.warning)[0] == "有 1 组数据被省妇联退回，未发布：请按退回原因更正后重新上报。"
    (returned,) = [t for t in texts(upload.text) if "退回原因" in t]
    assert returned.startswith("长沙市2024年就业创业（第 2 版，长沙2024更正.xlsx）：rev 于 ")
    assert returned.endswith(" 退回。\n退回原因：岗位数少填了一位，请核对后重报")
    progress = open_page(new_app("cs"), "app_pages/progress.py", year=2024)
    assert progress.dataframe[0].value.loc["长沙市", "就业创业"].startswith("已报 · 已退回 · ")
    assert progress.dataframe[1].value.iloc[0]["退回原因"] == "岗位数少填了一位，请核对后重报"


HOSTILE = "[点我](http://evil.example/x) ![b](http://evil.example/i.png) <img src=x> www.evil.example :red[红]"


def markdown_texts(at) -> list[str]:  # noqa: ANN001 - an AppTest
    """What Streamlit renders as Markdown on a page: messages, captions, headings and widget labels."""
    shown = [*at.title, *at.subheader, *at.markdown, *at.caption, *at.info, *at.success, *at.warning, *at.error]
    return [e.value for e in shown] + [w.label for w in [*at.checkbox, *at.button, *at.text_area]]


def test_file_text_and_the_return_reason_are_shown_as_typed(demo_copy):
    """Issue 10's plain-text rule on the 审核 page and wherever the 退回 reason is shown."""
    sheet = "__粗__ <u>www.evil.example"  # Excel forbids : / \\ ? * [ ] in a sheet name, not these
    send_correction(demo_copy, file_name=f"{HOSTILE}.xlsx", note=HOSTILE, sheet=sheet)
    at = review_page()
    assert at.dataframe[0].value["文件名"].tolist() == [f"{HOSTILE}.xlsx"]
    assert f"文件：{HOSTILE}.xlsx\n上报人：cs　上报时间：" in texts(at.text)[0]
    assert f"统计员的上报说明：{HOSTILE}" in texts(at.text)
    assert at.checkbox[0].label == plain.markdown(
        f"已核实 {sheet}!F5 实现就业妇女人数：实现就业妇女人数（13289）大于提供就业岗位数（13000），请核实。"
    )
    at.text_area(key="review_reason_10").input(HOSTILE).run()
    next(b for b in at.button if b.label == "退回").click().run()
    upload = open_page(new_app("cs"), "app_pages/upload.py")
    assert [t for t in texts(upload.text) if t.endswith(f"退回原因：{HOSTILE}")]
    progress = open_page(new_app("cs"), "app_pages/progress.py", year=2024)
    assert progress.dataframe[1].value.iloc[0][["退回原因", "文件名"]].tolist() == [HOSTILE, f"{HOSTILE}.xlsx"]
    for page in (at, upload, progress):
        leaked = [t for t in markdown_texts(page) if any(s in t for s in ("](", "<img", "__粗", ":red[", "www."))]
        assert leaked == []


def test_a_callback_rechecks_the_account_when_it_runs(corrected):
    at = review_page()
    at.checkbox[0].check().run()
    accounts.set_disabled(roles.SYSTEM, "rev", True)  # disabled between drawing the button and the click
    next(b for b in at.button if b.label == "审核通过").click().run()
    # The callback read the account again (not the session's copy of it): nothing was approved.
    assert texts(at.info) == ["该账号已停用，请联系管理员。"]  # and the session ended
    with_pending = open_page(new_app("admin"), "app_pages/review.py", year=2024)
    assert with_pending.dataframe[0].value["上报编号"].tolist() == [10]  # still waiting


def test_statisticians_and_leaders_have_no_review_page(corrected):
    for user, role in (("cs", "统计员"), ("leader", "领导")):
        at = new_app(user).run()
        switch(at, "app_pages/overview.py").run()
        with pytest.raises(ValueError):
            at.switch_page("app_pages/review.py")
        assert role


def test_the_city_filter_never_moves_the_province_figures(app):
    at = open_page(app, "app_pages/overview.py", year=2016)
    cards = [m.value for m in at.metric]
    at.multiselect(key="filter_cities").set_value(["株洲市", "益阳市"]).run()
    assert [m.value for m in at.metric] == cards  # 全省 figures stay
    ranking = next(f for f in figures(at) if f["data"][0]["type"] == "bar")
    assert len(bar_values(ranking)) == 14  # every 市州 ranked, the chosen ones in red
    assert {n for n, c in bar_colors(ranking).items() if c == charts.ACCENT} == {"株洲市", "益阳市"}
    assert ranking["layout"]["title"]["text"] == "2016年举办招聘会场次排名"
    choropleth = next(f for f in figures(at) if any(t["type"] == "choropleth" for t in f["data"]))
    grey = next(t for t in choropleth["data"] if t["type"] == "choropleth" and t.get("showscale", True) is not True)
    assert "长沙市<br>未选" in grey["text"]
    assert at.subheader[1].value == "所选市州分布"

    jobs = open_page(app, "app_pages/jobs.py", year=2016)
    line = figures(jobs)[0]["layout"]["annotations"][0]["text"]
    jobs.multiselect(key="filter_cities").set_value(["株洲市"]).run()
    assert figures(jobs)[0]["layout"]["annotations"][0]["text"] == line  # the province's average, not 株洲's
    assert line == "全省平均（已报 14 个市州）<br>48.9场"
    assert figures(jobs)[0]["layout"]["title"]["text"] == "2016年举办招聘会场次"
    assert "14/14 个市州已填报；红色为所选市州（株洲市）；虚线为全省平均 48.9场" in " ".join(texts(jobs.caption))


def test_chips_keep_the_official_order(app):
    at = open_page(app, "app_pages/jobs.py", year=2016)
    at.multiselect(key="filter_cities").set_value(["益阳市", "长沙市", "株洲市"]).run()
    assert at.multiselect(key="filter_cities").value == ["长沙市", "株洲市", "益阳市"]
    assert at.query_params["city"] == ["430100", "430200", "430900"]
