"""CAPCE: EMS clinicians' course completions as the XML file CAPCE's Accreditation Management
System takes by upload.

The layout, and where it comes from:

- CAPCE (formerly CECBEMS) takes completions by "XML Upload" or manual entry in its AMS,
  checks the file's format, then audits each record; records in error wait in an "Upload
  Errors" table (capce.org FAQ, answers 70 and 72).
- The file is a .NET DataSet document: the root `dsXmlSummary` in the namespace
  http://www.tempuri.org/dsXmlSummary.xsd, its schema inline, then one
  `admin_reports_xmlReports` element per completion whose children are, in this order
  (an xs:sequence, each an optional string): emailAddress, licenseType, stateIssued,
  licenseNo, expiration, dateOfCompletion, provider, city, nameLast, nameFirst, nameMiddle,
  street, nremtReReg, state, zip, nremtNo, phone, courseNo, units, Type. So an EMS education
  vendor's production export to CECBEMS/CAPCE writes it (Fisdap, "CECBEMS XML export").
- Dates are MM-DD-YYYY; provider is the provider's CAPCE id (set by QI_CAPCE_PROVIDER_ID);
  courseNo is the CAPCE course number (e.g. 16-EMT-F3-0001); units the CE hours; stateIssued
  the licence's two-letter state; licenseType the clinician's level (EMT, Paramedic).
- What the engine does not hold (e-mail, postal address, phone, the licence's and the
  registration's expiry dates, the course's Basic/Advanced type) is left out: each element
  is optional in the schema.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from adapters.exports.accreditors.text import amount, one_line
from aggregates.values import CreditType
from projections.credits.completions import Completion, ReportFile

NAMESPACE = "http://www.tempuri.org/dsXmlSummary.xsd"
XS = "http://www.w3.org/2001/XMLSchema"
MSDATA = "urn:schemas-microsoft-com:xml-msdata"
RECORD = "admin_reports_xmlReports"
ELEMENTS = (
    "emailAddress",
    "licenseType",
    "stateIssued",
    "licenseNo",
    "expiration",
    "dateOfCompletion",
    "provider",
    "city",
    "nameLast",
    "nameFirst",
    "nameMiddle",
    "street",
    "nremtReReg",
    "state",
    "zip",
    "nremtNo",
    "phone",
    "courseNo",
    "units",
    "Type",
)
LEVELS = {"paramedic": "Paramedic", "emt": "EMT"}


def capce_records(file: ReportFile, provider_id: str) -> list[dict[str, str]]:
    """Each completion's elements that have a value, by element name, in the schema's order."""
    return [_record(c, provider_id) for c in file.completions]


def capce_xml(file: ReportFile, provider_id: str) -> bytes:
    """The DataSet document: the inline schema, then one record per completion."""
    ET.register_namespace("", NAMESPACE)
    ET.register_namespace("xs", XS)
    ET.register_namespace("msdata", MSDATA)
    root = ET.Element(f"{{{NAMESPACE}}}dsXmlSummary")
    root.append(_schema())
    for record in capce_records(file, provider_id):
        element = ET.SubElement(root, f"{{{NAMESPACE}}}{RECORD}")
        for name, value in record.items():
            ET.SubElement(element, f"{{{NAMESPACE}}}{name}").text = value
    ET.indent(root)
    return b'<?xml version="1.0" standalone="yes"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def _record(c: Completion, provider_id: str) -> dict[str, str]:
    learner = c.learner
    licence = learner.state_licences[0] if learner.state_licences else None
    values = {
        "licenseType": LEVELS.get(c.discipline or "", ""),
        "stateIssued": licence.state if licence else "",
        "licenseNo": licence.number if licence else "",
        "dateOfCompletion": c.completed_on.strftime("%m-%d-%Y"),
        "provider": provider_id,
        "nameLast": learner.last_name or "",
        "nameFirst": learner.first_name or "",
        "nremtNo": learner.nremt_id or "",
        "courseNo": c.activity.capce_course_number or "",
        "units": amount(c.credits.get(CreditType.CAPCE, 0.0)),
    }
    return {name: one_line(values[name]) for name in ELEMENTS if values.get(name)}


def _schema() -> ET.Element:
    schema = ET.Element(
        f"{{{XS}}}schema",
        {
            "id": "dsXmlSummary",
            "targetNamespace": NAMESPACE,
            "attributeFormDefault": "qualified",
            "elementFormDefault": "qualified",
        },
    )
    dataset = ET.SubElement(
        schema, f"{{{XS}}}element", {"name": "dsXmlSummary", f"{{{MSDATA}}}IsDataSet": "true"}
    )
    choice = ET.SubElement(
        ET.SubElement(dataset, f"{{{XS}}}complexType"), f"{{{XS}}}choice", {"maxOccurs": "unbounded"}
    )
    record = ET.SubElement(choice, f"{{{XS}}}element", {"name": RECORD})
    sequence = ET.SubElement(ET.SubElement(record, f"{{{XS}}}complexType"), f"{{{XS}}}sequence")
    for name in ELEMENTS:
        ET.SubElement(sequence, f"{{{XS}}}element", {"name": name, "type": "xs:string", "minOccurs": "0"})
    return schema
