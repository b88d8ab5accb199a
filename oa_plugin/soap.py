"""A small SOAP 1.1 document/literal server driven by a hand-written WSDL.

Both SOAP servers of the project use it: the e-cology sandbox
(``WorkflowService``, ``DocService``) and the bridge's ``/soap/oa``. The WSDL
file is served byte for byte and is also the only description of the
messages: element order, types and arrays are read from its XSD, so what is
served and what is parsed cannot drift apart.

Untrusted XML is parsed with entity resolution, DTD loading and network
access off, without lxml's huge-tree mode, after a size check; a document
that declares a DTD at all is refused. Every problem is a :class:`SoapFault`
with a stable code, answered as a SOAP fault (never a stack trace).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

__all__ = ["SOAP_ENV", "SoapFault", "SoapService", "Wsdl", "parse_xml"]

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSD = "http://www.w3.org/2001/XMLSchema"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


class SoapFault(Exception):
    """A fault for the caller: ``Client`` (its request) or ``Server`` (ours)."""

    def __init__(self, code: str, message: str, side: str = "Client") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.side = side


_INT_BITS = {"int": 32, "long": 64}
"""XSD's ranges: a larger number is the caller's error, not a database overflow."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse untrusted XML: size limit, no DTD, no entities, no network."""
    if len(data) > max_bytes:
        raise SoapFault("too_large", f"The message exceeds {max_bytes} bytes.")
    if b"<!DOCTYPE" in data:  # refused before libxml2 reads any declaration
        raise SoapFault("dtd_forbidden", "Document type declarations are refused.")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise SoapFault("malformed_xml", f"The message is not XML: {exc}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.doctype:
        raise SoapFault("dtd_forbidden", "Document type declarations are refused.")
    return root


def _local(qname: str) -> str:
    return qname.split(":", 1)[-1]


@dataclass
class _Part:
    """One child element of a sequence: its name, namespace, type, repetition."""

    name: str
    namespace: str
    type: str  # "int", "boolean", "string" or a complex type's local name
    many: bool = False


@dataclass
class Wsdl:
    """What a WSDL file says about its messages (read once from the file)."""

    path: Path
    text: bytes = b""
    namespace: str = ""
    types: dict[str, list[_Part]] = field(default_factory=dict)
    elements: dict[str, list[_Part]] = field(default_factory=dict)
    actions: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Wsdl:
        wsdl = cls(Path(path), Path(path).read_bytes())
        root = etree.fromstring(wsdl.text, _parser())
        wsdl.namespace = root.get("targetNamespace")
        for schema in root.iter(f"{{{XSD}}}schema"):
            ns = schema.get("targetNamespace")
            qualified = schema.get("elementFormDefault") == "qualified"
            for ctype in schema.findall(f"{{{XSD}}}complexType"):
                wsdl.types[ctype.get("name")] = wsdl._sequence(ctype, ns, qualified)
            for element in schema.findall(f"{{{XSD}}}element"):
                inline = element.find(f"{{{XSD}}}complexType")
                wsdl.elements[element.get("name")] = wsdl._sequence(
                    inline, ns, qualified
                )
        for operation in root.iter(f"{{{WSDL_SOAP}}}operation"):
            name = operation.getparent().get("name")
            wsdl.actions[operation.get("soapAction", "")] = name
        return wsdl

    @staticmethod
    def _sequence(ctype, ns: str, qualified: bool) -> list[_Part]:
        parts = []
        for child in ctype.iter(f"{{{XSD}}}element"):
            many = child.get("maxOccurs") == "unbounded"
            parts.append(
                _Part(
                    child.get("name"),
                    ns if qualified else "",
                    _local(child.get("type")),
                    many,
                )
            )
        return parts

    @property
    def operations(self) -> list[str]:
        return sorted(self.actions.values())

    # -- decoding ---------------------------------------------------------

    def decode(self, element: etree._Element, type_name: str) -> Any:
        """An element as Python: dict for complex types, list for arrays."""
        if element.get(f"{{{XSI}}}nil") in ("true", "1"):
            return None
        if type_name not in self.types:
            return self._scalar(element.text or "", type_name)
        parts = self.types[type_name]
        if len(parts) == 1 and parts[0].many:  # ArrayOfX
            item = parts[0]
            return [
                self.decode(child, item.type)
                for child in element
                if etree.QName(child).localname == item.name
            ]
        return self._children(element, parts)

    def _children(self, element, parts: list[_Part]) -> dict[str, Any]:
        by_name = {part.name: part for part in parts}
        values: dict[str, Any] = {}
        for child in element:
            if not isinstance(child.tag, str):
                continue
            part = by_name.get(etree.QName(child).localname)
            if part is None:
                continue  # unknown elements are ignored, as XFire does
            value = self.decode(child, part.type)
            if part.many:
                values.setdefault(part.name, []).append(value)
            else:
                values[part.name] = value
        return values

    @staticmethod
    def _scalar(text: str, type_name: str) -> Any:
        text = text.strip() if type_name != "string" else text
        if type_name in ("int", "long"):
            try:
                number = int(text)
            except ValueError:
                raise SoapFault("invalid_value", f"{text!r} is not a number.") from None
            bits = _INT_BITS[type_name]
            if not -(2 ** (bits - 1)) <= number < 2 ** (bits - 1):
                raise SoapFault("invalid_value", f"{text!r} is out of xsd:{type_name}.")
            return number
        if type_name == "boolean":
            if text not in ("true", "false", "1", "0"):
                raise SoapFault("invalid_value", f"{text!r} is not a boolean.")
            return text in ("true", "1")
        return text

    def decode_request(self, element: etree._Element) -> dict[str, Any]:
        return self._children(element, self.elements[etree.QName(element).localname])

    # -- encoding ---------------------------------------------------------

    def encode(self, parent, part: _Part, value: Any) -> None:
        """Append ``value`` under ``parent`` as ``part`` (lists repeat ``many``)."""
        values = value if part.many and isinstance(value, list) else [value]
        for item in values:
            child = etree.SubElement(parent, f"{{{part.namespace}}}{part.name}")
            if item is None:
                child.set(f"{{{XSI}}}nil", "true")
            elif part.type in self.types:
                self._encode_complex(child, part.type, item)
            elif isinstance(item, bool):
                child.text = "true" if item else "false"
            else:
                child.text = str(item)

    def _encode_complex(self, element, type_name: str, value: Any) -> None:
        parts = self.types[type_name]
        if len(parts) == 1 and parts[0].many:
            self.encode(element, parts[0], list(value))
            return
        for part in parts:  # the schema's order, which strict parsers need
            if part.name in value:
                self.encode(element, part, value[part.name])

    def encode_response(self, operation: str, values: dict[str, Any]) -> etree._Element:
        name = f"{operation}Response"
        wrapper = etree.Element(f"{{{self.namespace}}}{name}")
        for part in self.elements[name]:
            if part.name in values:
                self.encode(wrapper, part, values[part.name])
        return wrapper


Handler = Callable[[dict[str, Any], etree._Element | None], dict[str, Any]]
"""(decoded parameters, the SOAP Header or None) → the response's children."""


def envelope(body_child: etree._Element) -> bytes:
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    etree.SubElement(env, f"{{{SOAP_ENV}}}Body").append(body_child)
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


def fault_envelope(fault: SoapFault, namespace: str) -> bytes:
    """SOAP 1.1 fault; the stable code is in ``detail/code``."""
    element = etree.Element(f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(element, "faultcode").text = f"soap:{fault.side}"
    etree.SubElement(element, "faultstring").text = fault.message
    detail = etree.SubElement(element, "detail")
    etree.SubElement(detail, f"{{{namespace}}}code").text = fault.code
    return envelope(element)


class SoapService:
    """Dispatch SOAP requests to handlers by the operation element's name."""

    def __init__(
        self,
        wsdl: Wsdl,
        handlers: dict[str, Handler],
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        missing = set(wsdl.operations) - set(handlers)
        if missing:
            raise ValueError(f"no handler for {sorted(missing)}")
        self.wsdl = wsdl
        self.handlers = handlers
        self.max_bytes = max_bytes

    def wsdl_text(self, location: str) -> bytes:
        """The WSDL file, with its address pointing where it was fetched from."""
        return re.sub(
            rb'(<wsdlsoap:address location=")[^"]*"',
            lambda match: match[1] + location.encode() + b'"',
            self.wsdl.text,
            count=1,
        )

    def handle(self, body: bytes) -> tuple[int, bytes]:
        """HTTP status and body for one POSTed envelope."""
        try:
            return 200, envelope(self._dispatch(body))
        except SoapFault as fault:
            return self.refuse(fault)
        except Exception:
            logger.exception("SOAP operation failed")
            return self.refuse(SoapFault("internal_error", "Internal error.", "Server"))

    def refuse(self, fault: SoapFault) -> tuple[int, bytes]:
        """HTTP status and fault envelope: 400 for the caller's faults, else 500."""
        status = 400 if fault.side == "Client" else 500
        return status, fault_envelope(fault, self.wsdl.namespace)

    def _dispatch(self, body: bytes) -> etree._Element:
        root = parse_xml(body, self.max_bytes)
        if root.tag != f"{{{SOAP_ENV}}}Envelope":
            raise SoapFault("not_soap", "The message is not a SOAP 1.1 Envelope.")
        soap_body = root.find(f"{{{SOAP_ENV}}}Body")
        children = [] if soap_body is None else [c for c in soap_body if c.tag]
        if len(children) != 1:
            raise SoapFault("not_soap", "The SOAP Body must hold one operation.")
        operation = children[0]
        qname = etree.QName(operation)
        if qname.namespace != self.wsdl.namespace or qname.localname not in (
            self.handlers
        ):
            raise SoapFault("unknown_operation", f"No operation {qname.text}.")
        params = self.wsdl.decode_request(operation)
        result = self.handlers[qname.localname](
            params, root.find(f"{{{SOAP_ENV}}}Header")
        )
        return self.wsdl.encode_response(qname.localname, result)
