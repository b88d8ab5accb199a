"""The sandbox's users and its two workflows, as an e-cology admin would set them up.

Node actions are configured like e-cology's ``workflowactionset`` rows: an
action runs when a request arrives at its node (``ispreoperator``); if it
fails the request stays where it was and the submit answers ``failed``.
Their parameters name form fields, as a no-code WebService action maps
``workflow_billfield`` columns to the called operation's parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["USERS", "WORKFLOWS", "Field", "Node", "Workflow", "workflow"]


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text | attachment | select
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Node:
    id: int
    name: str
    operator: int
    action: str | None = None  # red_header | seal_task
    params: dict[str, str] = field(default_factory=dict)
    stamp: bool = False
    """The form shows the Stamp button to this node's operator."""


@dataclass(frozen=True)
class Workflow:
    id: int
    name: str
    type_name: str
    fields: tuple[Field, ...]
    nodes: tuple[Node, ...]

    @property
    def table(self) -> str:
        return f"formtable_main_{self.id}"

    def node(self, node_id: int) -> Node:
        return next(node for node in self.nodes if node.id == node_id)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def after(self, node_id: int, step: int) -> Node | None:
        index = [node.id for node in self.nodes].index(node_id) + step
        return self.nodes[index] if 0 <= index < len(self.nodes) else None


# id → (loginid, name); passwords come from the sandbox configuration.
USERS = {
    1: ("sysadmin", "系统管理员"),
    2: ("zhangsan", "张三"),
    3: ("lisi", "李四"),
    4: ("wangwu", "王五"),
    5: ("zhaoliu", "赵六"),
    6: ("qianqi", "钱七"),
    7: ("sealbridge", "电子签章接口"),
}

_SIGNATURES = "fwjg"

OFFICIAL_DOCUMENT = Workflow(
    101,
    "公文发文",
    "公文管理",
    (
        Field("bt", "标题"),
        Field("fwjg", "发文机关"),
        Field("jgdz", "机关代字"),
        Field("zs", "主送机关"),
        Field("cs", "抄送机关"),
        Field("yfjg", "印发机关"),
        Field("cwrq", "成文日期"),
        Field("mb", "红头模板", "select", ("文件", "上行文", "函", "纪要")),
        Field("zw", "正文", "attachment"),
        Field("wh", "文号"),
        Field("zwpdf", "套红正文", "attachment"),
        Field("gzfj", "盖章正文", "attachment"),
        Field("yzzt", "用印状态"),
    ),
    (
        Node(1, "拟稿", 2),
        Node(2, "核稿", 3),
        Node(3, "签发", 4),
        Node(4, "编号", 5),
        Node(
            5,
            "套红",
            5,
            "red_header",
            {
                "template": "mb",
                "body": "zw",
                "result": "zwpdf",
                "number": "wh",
                "status": "yzzt",
                "title": "bt",
                "issuers": "fwjg",
                "organ_code": "jgdz",
                "recipients": "zs",
                "cc": "cs",
                "printer": "yfjg",
                "date": "cwrq",
                "print_date": "cwrq",
            },
        ),
        Node(
            6,
            "用印",
            6,
            "seal_task",
            {
                "documents": "zwpdf",
                "seal_kind": "=official",
                "signatures": _SIGNATURES,
                "result": "gzfj",
                "status": "yzzt",
            },
            stamp=True,
        ),
        Node(7, "分发", 5),
    ),
)

SEAL_APPLICATION = Workflow(
    102,
    "用印申请",
    "行政管理",
    (
        Field("sqr", "申请人"),
        Field("htmc", "合同名称"),
        Field("yzlx", "印章类型", "select", ("contract", "official")),
        Field("gzwz", "盖章位置关键字"),
        Field("fj", "合同附件", "attachment"),
        Field("gzfj", "盖章附件", "attachment"),
        Field("yzzt", "用印状态"),
    ),
    (
        Node(11, "申请", 2),
        Node(12, "部门审批", 3),
        Node(
            13,
            "用印",
            6,
            "seal_task",
            {
                "documents": "fj",
                "seal_kind": "yzlx",
                "keyword": "gzwz",
                "result": "gzfj",
                "status": "yzzt",
            },
            stamp=True,
        ),
        Node(14, "归档", 2),
    ),
)

WORKFLOWS = {wf.id: wf for wf in (OFFICIAL_DOCUMENT, SEAL_APPLICATION)}


def workflow(workflow_id: int) -> Workflow | None:
    return WORKFLOWS.get(workflow_id)
