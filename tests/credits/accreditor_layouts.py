"""The accreditors' published field lists the files are checked against, written down here
from their sources (so the repository holds what its tests rely on), independently of the
writers' own tuples.

- ACCME PARS learner template, header row: ACCME's "Learner Excel CME MOC Template"
  (accme.org/resource/excel-learner-batch-template/, 917_20240125_Learner_Excel_CME_MOC_Template.xlsx),
  as its header row is reproduced by an open-source CME tracker's importer and test (2026-08).
  Date of Birth MM/DD (ACCME FAQ on the data collected of board-certified physicians).
- CPE Monitor: the parameters of ACPE's SubmitCPEActivityJSON web service (ACPE, "CPE Monitor
  Technical Specifications"), in the order an open-source LMS plugin sends them; date of
  birth MMDD (nabp.pharmacy, "CPE Monitor Service").
- CAPCE: the dsXmlSummary DataSet an EMS education vendor's production export to
  CECBEMS/CAPCE writes (Fisdap), its record element and the sequence of its children; dates
  MM-DD-YYYY.
- ANCC: no published learner layout (ANCC takes no learner upload); the record keeps what
  ANCC's accredited provider units say an activity file keeps of each award, six years.
"""

PARS_HEADER = [
    "Record Action",
    "ACCME Activity ID",
    "Completion Date",
    "First Name",
    "Last Name",
    "Date of Birth",
    "Licensing State",
    "Licensing ID or NPI",
    "Number of CME Credits",
    "Certifying Board",
    "Certifying Board ID",
    "Total Board Credits",
    "Credit Type",
    "Credits Awarded for Credit Type",
]
CPE_MONITOR_PARAMETERS = [
    "provider_number",
    "epid",
    "date_of_birth",
    "uan",
    "date_of_participation",
    "action",
]
CAPCE_NAMESPACE = "http://www.tempuri.org/dsXmlSummary.xsd"
CAPCE_ROOT = "dsXmlSummary"
CAPCE_RECORD = "admin_reports_xmlReports"
CAPCE_SEQUENCE = [
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
]
NURSING_RETENTION_YEARS = 6
