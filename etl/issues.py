"""Validation issues: a stable code, where it is (file, sheet, cell, indicator) and a Chinese sentence saying what to
do. The checks across values (rules) take their codes and sentences from the catalogue (etl/ingest/rules.py)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

ERROR = "error"
WARNING = "warning"

# code → (level, Chinese template). Templates take keyword fields; each says what to do.
TEMPLATES: dict[str, tuple[str, str]] = {
    # the file as a whole
    "empty-file": (ERROR, "文件为空（0 字节），请重新选择填好的报表文件。"),
    "file-too-large": (ERROR, "文件大小 {size_mb} MB 超过上限 {limit_mb} MB，请只保留报表数据后再上报。"),
    "unreadable-file": (ERROR, "无法识别的文件：{detail}。请上报 Excel（.xlsx/.xls）或 CSV 格式的报表。"),
    "password-protected": (
        ERROR,
        "工作簿设有打开密码，系统无法读取。请在 Excel 中取消密码（文件→信息→保护工作簿）后重新上报。",
    ),
    "hostile-file": (ERROR, "文件结构异常，已拒绝：{detail}。请用 Excel 或 WPS 另存为新的 .xlsx 文件后重新上报。"),
    "too-many-cells": (ERROR, "工作表范围过大：{detail}。请删除表格以外的内容（或另存为新文件）后重新上报。"),
    "warehouse-unavailable": (ERROR, "{detail}"),
    "not-permitted": (ERROR, "{detail}"),
    "region-not-permitted": (
        ERROR,
        "您是{own}的统计员，不能上报{region}的数据。请删除{region}的数据，或由{region}的统计员上报。",
    ),
    "slice-locked": (ERROR, "{detail}"),
    "no-indicator-header": (
        ERROR,
        "未找到任何已知指标的表头。请使用系统下载的报表模板，表头写指标名称（如“实现就业妇女人数（人）”）。",
    ),
    # structure of a table
    "missing-region-column": (ERROR, "表格缺少“市州”列，也无法从文件或参数确定市州。请在表头加一列“市州”。"),
    "missing-region": (ERROR, "这一行有数据，但没有填写市州。请填写市州名称。"),
    "unknown-column": (
        ERROR,
        "表头“{value}”不是已知指标，这一列的数据无法入库。请改用模板中的指标名称，或删除这一列。",
    ),
    "unknown-region": (
        ERROR,
        "“{value}”不是湖南省的市州、县市区或省级单位名称。请填写规范名称，如“株洲市”“醴陵市”“湘西土家族苗族自治州”。",
    ),
    "level-not-reported": (
        ERROR,
        "{region}是{level}，“{indicator}”只由{levels}填报，{level}不填。{hint}。",
    ),
    "region-conflict": (
        ERROR,
        "本行市州“{value}”与指定的上报单位“{expected}”不一致。请只填报本单位数据，或核对上报单位。",
    ),
    "duplicate-region": (
        ERROR,
        "{region}{year}年的“{domain}”数据在 {other} 已填过一次。同一市州同一年度只能填一行，请删除重复行。",
    ),
    "duplicate-column": (ERROR, "指标“{indicator}”在表头出现了两次（另见 {other}）。请删除重复的列。"),
    "unknown-indicator": (ERROR, "“{value}”不是已知的指标名称。请使用模板中的指标名称，如“两癌检查人数”。"),
    "indicator-not-in-year": (
        ERROR,
        "“{indicator}”{why}，{year}年的报表不填这一项。请删除这一格的数字，或核对年度。",
    ),
    "missing-year": (ERROR, "无法确定年度。请在表头上方写明“年度：2024”，或加一列“年度”。"),
    "year-out-of-range": (ERROR, "年度“{value}”无效，应为 2000 至 {max_year} 之间的四位年份。请更正年度。"),
    "year-conflict": (ERROR, "文件中的年度 {value} 与指定的年度 {expected} 不一致。请核对后重新上报。"),
    "unit-mismatch": (ERROR, "“{indicator}”的单位应为“{expected}”，表头写的是“{value}”。请换算为{expected}后填报。"),
    # one value
    "not-a-number": (ERROR, "“{value}”不是数字。请填写数字；未开展或未统计请留空。"),
    "excel-error": (ERROR, "单元格是 Excel 错误值“{value}”。请修正公式或直接填写数值。"),
    "formula-no-value": (
        ERROR,
        "单元格是公式但没有计算结果。请在 Excel 中打开、重新计算并保存后再上报，或直接填写数值。",
    ),
    "negative-value": (ERROR, "“{value}”是负数，统计数不能为负。请更正。"),
    "fraction-in-count": (ERROR, "“{value}”带小数，但“{indicator}”以{unit}计，应为整数。请更正。"),
    "approximate-value": (
        ERROR,
        "“{value}”是约数，是估计的数字。统计报表需要准确数字，请填写准确的{indicator}（如 1987，而不是“近2000”）；"
        "确实无法统计请留空。",
    ),
    "yuan-in-wan": (ERROR, "“{value}”是按元填写的，本列以万元计。请改填 {fixed}（万元）。"),
    # the sum of a 合计 row: loaded, reported and stored with the submission
    "total-mismatch": (WARNING, "合计行“{indicator}”为 {total}，而各市州之和为 {sum}。合计行不入库，请核对。"),
    # 县市区 rows against their 市州 (etl/levels.py; a 市州 given beside all its 县市区 is the county_sum rule's)
    "county-sum-exceeds": (
        WARNING,
        "{city}“{indicator}”填 {value}{unit}，而已填的 {reported} 个县市区之和已达 {sum}{unit}，"
        "县市区之和不应大于市州数。请核对。",
    ),
    "county-sum-partial": (
        WARNING,
        "{city}“{indicator}”未填，{expected} 个县市区中只有 {reported} 个已填（之和 {sum}{unit}），"
        "不能相加得出市州数，市州数记为未填报。请补全各县市区，或填写市州数。",
    ),
    # 任务数 files (etl/targets.py)
    "targets-not-a-target-file": (
        ERROR,
        "这是统计报表，不是任务数表。请在“任务数”页面下载任务数模板填写后上传；完成数请在“数据上报”页面上报。",
    ),
    "targets-empty": (ERROR, "文件中没有任何任务数。请在任务数模板中填写后再上传。"),
    "targets-file-as-return": (
        ERROR,
        "这是任务数表，不是统计报表。任务数请由管理员在“任务数”页面上传；完成数请填写统计报表模板后上报。",
    ),
}


@dataclass(frozen=True)
class Issue:
    code: str
    level: str
    message: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    subject: str = ""  # the indicator's name, when the issue is about one
    # (region_code, year, indicator code) of the value, when known: last year's figure is looked up by it
    key: tuple[str, int, str] | None = field(default=None, compare=False, repr=False)

    @property
    def location(self) -> str:
        """`两癌检查!C7`; the sheet or the cell alone (CSV has no sheets); empty for file-level issues."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or self.cell

    @property
    def place(self) -> str:
        """`两癌检查!C7 宫颈癌检查人数`: the cell and the indicator it holds."""
        return " ".join(part for part in (self.location, self.subject) if part)

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    def describe(self) -> str:
        """One line for a report: file, place, sentence."""
        where = " ".join(part for part in (self.file, self.place) if part)
        return f"{where}：{self.message}" if where else self.message

    def as_dict(self) -> dict[str, str]:
        found = asdict(self)
        found.pop("key")
        return found | {"location": self.location}


class IssueList(list):
    """The issues of one file, at most `cap` of them kept; past the cap they are only counted (`dropped`), so a
    file with an error in each of 200,000 rows costs neither the memory of 200,000 messages nor their display."""

    def __init__(self, cap: int | None = None) -> None:
        from etl.config import MAX_ISSUES_KEPT

        super().__init__()
        self.cap = MAX_ISSUES_KEPT if cap is None else cap
        self.dropped = 0

    @property
    def full(self) -> bool:
        return len(self) >= self.cap

    def append(self, issue: Issue) -> None:
        if self.full:
            self.dropped += 1
        else:
            super().append(issue)


def make_issue(
    code: str, *, file: str = "", sheet: str = "", cell: str = "", subject: str = "", key: tuple | None = None,
    **fields: object,
) -> Issue:  # fmt: skip
    level, template = TEMPLATES[code]
    return Issue(code, level, template.format(**fields), file, sheet, cell, subject, key)


def has_errors(issues: list[Issue]) -> bool:
    return any(i.is_error for i in issues)


class RefusedFile(Exception):
    """A file that cannot be read at all; carries the issue that says why."""

    def __init__(self, issue: Issue):
        super().__init__(issue.message)
        self.issue = issue
