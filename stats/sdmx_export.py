"""SDMX-ML 2.1, written with ``sdmx1``: a structure message and data messages.

The cube follows the reference's suggestion: dimensions INDICATOR × REF_AREA × one dimension per
breakdown in the catalogue (ETHNIC_GROUP, SEX, URBAN_RURAL, …; ``_T`` = total) × TIME_PERIOD;
attributes OBS_STATUS (A = final, P = provisional — only staff ever receive P), UNIT_MEASURE,
REF_AREA_VERSION (the date whose boundaries the figure describes), SOURCE_DETAIL, COMMENT and
SAMPLE_DATA. REF_AREA codes are those of :func:`stats.opendata.area_key` (VN, a code of today, or
the slug of a former unit). Indicator codes whose official code is not verified are the
archive's working codes, named "[mã tạm, chưa xác minh] …" and annotated ``CODE_STATUS =
not-verified``.
"""

from __future__ import annotations

import sdmx
from lxml import etree
from sdmx import message
from sdmx.model import common
from sdmx.model import v21 as m
from sdmx.writer.xml import writer

from django.conf import settings
from django.utils import timezone

from stats.access import visible_observations
from stats.dimensions import Dimension
from stats.models import NATIONAL_CODE, Indicator, Status, Unit
from stats.opendata import all_dimensions, area_key, text_number
from stats.periods import parse_period

VERSION = "1.0"
TOTAL = "_T"
DSD_ID = "DSD_DTTS"
DATAFLOW_ID = "DF_DTTS"


def agency() -> common.Agency:
    return common.Agency(
        id=getattr(settings, "STATS_SDMX_AGENCY", "DTTS_ARCHIVE"),
        name={"vi": "Kho lưu trữ số di sản các dân tộc thiểu số", "en": "Ethnic-minority heritage archive"},
    )


def _names(vi: str, en: str = "") -> dict:
    names = {"vi": vi}
    if en:
        names["en"] = en
    return names


def _dimension_id(code: str) -> str:
    return code.upper()


class Structure:
    """The codelists, concepts, DSD and dataflow, built once per output."""

    def __init__(self, places=()):
        self.agency = agency()
        # Not final: the codelists grow with the catalogue and the units that have figures.
        kw = {"maintainer": self.agency, "version": VERSION, "is_final": False, "is_external_reference": False}
        self.dimensions: list[Dimension] = all_dimensions()
        self.codelists: dict[str, m.Codelist] = {}
        self.concepts = m.ConceptScheme(id="CS_DTTS", name=_names("Khái niệm", "Concepts"), **kw)

        indicators = m.Codelist(id="CL_INDICATOR", name=_names("Chỉ tiêu", "Indicators"), **kw)
        for indicator in Indicator.objects.order_by("working_code"):
            verified = indicator.code_verified
            prefix = "" if verified else f"[{indicator.working_code}: mã tạm, chưa xác minh] "
            prefix_en = "" if verified else f"[{indicator.working_code}: working code, not yet verified] "
            indicators.append(
                m.Code(
                    id=indicator.code,
                    name=_names(prefix + indicator.name, prefix_en + indicator.name_en),
                    annotations=[
                        m.Annotation(id="CODE_STATUS", title="verified" if verified else "not-verified"),
                        m.Annotation(id="UNIT", title=indicator.unit.code),
                    ],
                )
            )
        self.codelists["INDICATOR"] = indicators

        areas = m.Codelist(id="CL_AREA", name=_names("Đơn vị hành chính", "Administrative units"), **kw)
        areas.append(m.Code(id=NATIONAL_CODE, name=_names("Toàn quốc", "Whole country")))
        for place in sorted(places, key=lambda p: area_key(p)):
            annotations = [m.Annotation(id="KIND", title=place.kind)]
            if place.valid_to:
                annotations.append(m.Annotation(id="VALID_TO", title=place.valid_to.isoformat()))
            if place.current_province_id and place.current_province:
                annotations.append(m.Annotation(id="PROVINCE_TODAY", title=place.current_province.code or ""))
            areas.append(m.Code(id=area_key(place), name=_names(place.name, place.name_en), annotations=annotations))
        self.codelists["REF_AREA"] = areas

        for dimension in self.dimensions:
            codelist = m.Codelist(
                id=f"CL_{_dimension_id(dimension.code)}", name=_names(dimension.name, dimension.name_en), **kw
            )
            codelist.append(m.Code(id=TOTAL, name=_names("Tổng", "Total")))
            for value in dimension.values:
                codelist.append(m.Code(id=value.code, name=_names(value.name, value.name_en)))
            self.codelists[_dimension_id(dimension.code)] = codelist

        status = m.Codelist(id="CL_OBS_STATUS", name=_names("Trạng thái", "Observation status"), **kw)
        status.append(m.Code(id="A", name=_names("Chính thức", "Normal (final)")))
        status.append(m.Code(id="P", name=_names("Sơ bộ", "Provisional")))
        self.codelists["OBS_STATUS"] = status
        units = m.Codelist(id="CL_UNIT", name=_names("Đơn vị tính", "Units of measure"), **kw)
        for unit in Unit.objects.order_by("code"):
            units.append(m.Code(id=unit.code, name=_names(unit.symbol, unit.name_en)))
        self.codelists["UNIT_MEASURE"] = units

        self.dsd = m.DataStructureDefinition(
            id=DSD_ID, name=_names("Thống kê công tác dân tộc", "Ethnic-affairs statistics"), **kw
        )
        # The component lists' fixed identifiers (SDMX 2.1): the schemas refuse them empty.
        self.dsd.dimensions.id = "DimensionDescriptor"
        self.dsd.attributes.id = "AttributeDescriptor"
        self.dsd.measures.id = "MeasureDescriptor"
        dimension_ids = ["INDICATOR", "REF_AREA", *(_dimension_id(d.code) for d in self.dimensions)]
        for order, dimension_id in enumerate(dimension_ids):
            self.dsd.dimensions.append(
                m.Dimension(
                    id=dimension_id,
                    order=order,
                    concept_identity=self._concept(dimension_id),
                    local_representation=common.Representation(enumerated=self.codelists[dimension_id]),
                )
            )
        self.dsd.dimensions.append(
            m.TimeDimension(
                id="TIME_PERIOD",
                order=len(dimension_ids),
                concept_identity=self._concept("TIME_PERIOD"),
                local_representation=common.Representation(
                    non_enumerated=[common.Facet(value_type=common.FacetValueType.observationalTimePeriod)]
                ),
            )
        )
        self.measure = m.PrimaryMeasure(id="OBS_VALUE", concept_identity=self._concept("OBS_VALUE"))
        self.dsd.measures.append(self.measure)
        for attribute_id, mandatory in [
            ("OBS_STATUS", True),
            ("UNIT_MEASURE", True),
            ("REF_AREA_VERSION", False),
            ("SOURCE_DETAIL", False),
            ("COMMENT", False),
            ("SAMPLE_DATA", False),
        ]:
            representation = (
                common.Representation(enumerated=self.codelists[attribute_id])
                if attribute_id in self.codelists
                else None
            )
            self.dsd.attributes.append(
                m.DataAttribute(
                    id=attribute_id,
                    concept_identity=self._concept(attribute_id),
                    related_to=m.PrimaryMeasureRelationship(),
                    usage_status=m.UsageStatus.mandatory if mandatory else m.UsageStatus.conditional,
                    local_representation=representation,
                )
            )
        self.dataflow = m.DataflowDefinition(
            id=DATAFLOW_ID,
            name=_names("Thống kê công tác dân tộc", "Ethnic-affairs statistics"),
            structure=self.dsd,
            **kw,
        )

    def _concept(self, concept_id: str) -> m.Concept:
        if concept_id not in self.concepts.items:
            self.concepts.append(m.Concept(id=concept_id, name=_names(concept_id.replace("_", " ").title())))
        return self.concepts[concept_id]

    def header(self) -> message.Header:
        return message.Header(
            id=f"DTTS-{timezone.now():%Y%m%d%H%M%S}",
            prepared=timezone.now().replace(microsecond=0, tzinfo=None),
            sender=self.agency,
            test=False,
        )

    def message(self) -> message.StructureMessage:
        return message.StructureMessage(
            header=self.header(),
            codelist={codelist.id: codelist for codelist in self.codelists.values()},
            concept_scheme={self.concepts.id: self.concepts},
            structure={self.dsd.id: self.dsd},
            dataflow={self.dataflow.id: self.dataflow},
        )


def _observations(who, indicator=None):
    observations = visible_observations(who).select_related("indicator", "indicator__unit", "place")
    if indicator is not None:
        observations = observations.filter(indicator=indicator)
    return list(observations.order_by("indicator__working_code", "period_start", "unit_code", "disaggregation_key"))


def _places(observations):
    from archive.models import Place

    ids = {obs.place_id for obs in observations if obs.place_id}
    return list(Place.objects.filter(pk__in=ids).select_related("current_province"))


def structure_xml(who=None) -> bytes:
    places = _places(visible_observations(who).only("place_id"))
    return sdmx.to_xml(Structure(places).message(), pretty_print=True)


def data_message(who, indicator=None) -> tuple[message.DataMessage, Structure]:
    observations = _observations(who, indicator)
    structure = Structure(_places(observations))
    attributes = {attribute.id: attribute for attribute in structure.dsd.attributes}
    sdmx_observations = []
    for obs in observations:
        breakdown = obs.breakdown
        key = {"INDICATOR": obs.indicator.code, "REF_AREA": area_key(obs.place)}
        for dimension in structure.dimensions:
            key[_dimension_id(dimension.code)] = breakdown.get(dimension.code, TOTAL)
        key["TIME_PERIOD"] = parse_period(obs.period).sdmx_time_period()
        values = {
            "OBS_STATUS": "A" if obs.status == Status.FINAL else "P",
            "UNIT_MEASURE": obs.indicator.unit.code,
            "REF_AREA_VERSION": obs.effective_unit_version.isoformat(),
            "SOURCE_DETAIL": obs.source,
            "COMMENT": obs.notes,
            "SAMPLE_DATA": "true" if obs.is_sample else "",
        }
        sdmx_observations.append(
            m.Observation(
                dimension=structure.dsd.make_key(m.Key, key),
                value=text_number(obs.value),
                value_for=structure.measure,
                attached_attribute={
                    name: m.AttributeValue(value=value, value_for=attributes[name])
                    for name, value in values.items()
                    if value
                },
            )
        )
    dataset = m.StructureSpecificDataSet(structured_by=structure.dsd, obs=sdmx_observations)
    return (
        message.DataMessage(
            header=structure.header(),
            data=[dataset],
            dataflow=structure.dataflow,
            observation_dimension=common.AllDimensions,
        ),
        structure,
    )


def data_xsd(schemas: str, who=None) -> bytes:
    """The schema of the data messages ``who`` may receive (codelists as in :func:`structure_xml`)."""
    places = _places(visible_observations(who).only("place_id"))
    return structure_specific_xsd(Structure(places), schemas)


def dsd_namespace(structure: Structure) -> str:
    """The namespace of the structure-specific data (SDMX 2.1, section 3B, 3.3): the DSD's URN and the dimension at
    the observation level, here every dimension (un-grouped observations)."""
    return f"{sdmx.urn.make(structure.dsd)}:ObsLevelDim:AllDimensions"


def data_xml(who=None, indicator=None) -> bytes:
    """The data message as SDMX-ML 2.1 structure-specific data. ``sdmx1`` leaves out what the standard's schemas
    require of it — the header's ``namespace`` and ``dimensionAtObservation``, the data set's ``xsi:type`` and its
    ``structureRef`` and ``dataScope`` in the structure-specific namespace — which are set here (the schema of
    that namespace: :func:`structure_specific_xsd`)."""
    msg, structure = data_message(who, indicator)
    written = writer.recurse(msg)
    namespace = dsd_namespace(structure)
    # A new root that declares the data set's namespace (lxml cannot add one to an existing element).
    nsmap = {**written.nsmap, "ss": NS_STRUCTURE_SPECIFIC, "ns1": namespace}
    root = etree.Element(written.tag, attrib=dict(written.attrib), nsmap=nsmap)
    root.extend(list(written))
    for header_structure in root.iterfind(f"{{{NS_MESSAGE}}}Header/{{{NS_MESSAGE}}}Structure"):
        header_structure.set("namespace", namespace)
        header_structure.set("dimensionAtObservation", "AllDimensions")
    for dataset in root.iterfind(f"{{{NS_MESSAGE}}}DataSet"):
        dataset.set(f"{{{NS_XSI}}}type", "ns1:DataSetType")
        dataset.set(f"{{{NS_STRUCTURE_SPECIFIC}}}structureRef", dataset.attrib.pop("structureRef", DSD_ID))
        dataset.set(f"{{{NS_STRUCTURE_SPECIFIC}}}dataScope", "DataStructure")
    return etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)


NS_XS = "http://www.w3.org/2001/XMLSchema"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_SDMX = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1"
NS_MESSAGE = f"{NS_SDMX}/message"
NS_COMMON = f"{NS_SDMX}/common"
NS_STRUCTURE_SPECIFIC = f"{NS_SDMX}/data/structurespecific"


def structure_specific_xsd(structure: Structure, schemas: str) -> bytes:
    """The DSD-specific schema of :func:`data_xml`'s namespace (SDMX 2.1, section 3B): a data set of un-grouped
    observations whose dimensions and attributes are XML attributes, coded ones restricted to their codelist.
    ``schemas`` is where the standard's own XSDs are (a folder or URL ending in "/"); the schema imports the
    message namespace too, so it validates a whole data message."""
    xs = f"{{{NS_XS}}}"
    namespace = dsd_namespace(structure)
    schema = etree.Element(
        xs + "schema",
        nsmap={"xs": NS_XS, "common": NS_COMMON, "dsd": NS_STRUCTURE_SPECIFIC, None: namespace},
        targetNamespace=namespace,
        elementFormDefault="qualified",
        attributeFormDefault="unqualified",
    )
    for imported, location in (
        (NS_COMMON, "SDMXCommon.xsd"),
        (NS_STRUCTURE_SPECIFIC, "SDMXDataStructureSpecific.xsd"),
        (NS_MESSAGE, "SDMXMessage.xsd"),
    ):
        etree.SubElement(schema, xs + "import", namespace=imported, schemaLocation=schemas + location)

    def restriction(name: str, base: str):
        complex_type = etree.SubElement(schema, xs + "complexType", name=name)
        content = etree.SubElement(complex_type, xs + "complexContent")
        restricted = etree.SubElement(content, xs + "restriction", base=base)
        sequence = etree.SubElement(restricted, xs + "sequence")
        etree.SubElement(sequence, xs + "element", ref="common:Annotations", minOccurs="0")
        return restricted, sequence

    _dataset, sequence = restriction("DataSetType", "dsd:DataSetType")
    etree.SubElement(
        sequence,
        xs + "element",
        name="DataProvider",
        type="common:DataProviderReferenceType",
        form="unqualified",
        minOccurs="0",
    )
    choice = etree.SubElement(sequence, xs + "choice", minOccurs="0")
    etree.SubElement(choice, xs + "element", name="Obs", type="ObsType", form="unqualified", maxOccurs="unbounded")

    def codes(codelist: m.Codelist) -> str:
        simple = etree.SubElement(schema, xs + "simpleType", name=codelist.id)
        restricted = etree.SubElement(simple, xs + "restriction", base="common:IDType")
        for code in codelist:
            etree.SubElement(restricted, xs + "enumeration", value=code.id)
        return codelist.id

    observation, _sequence = restriction("ObsType", "dsd:ObsType")
    etree.SubElement(observation, xs + "attribute", name="type", use="prohibited")
    etree.SubElement(
        observation, xs + "attribute", name="TIME_PERIOD", type="common:ObservationalTimePeriodType", use="required"
    )
    etree.SubElement(observation, xs + "attribute", name="REPORTING_YEAR_START_DAY", use="prohibited")
    etree.SubElement(observation, xs + "attribute", name="OBS_VALUE", type="xs:double", use="optional")
    for dimension in structure.dsd.dimensions:
        if dimension.id != "TIME_PERIOD":
            type_name = codes(dimension.local_representation.enumerated)
            etree.SubElement(observation, xs + "attribute", name=dimension.id, type=type_name, use="required")
    for attribute in structure.dsd.attributes:
        representation = attribute.local_representation
        type_name = codes(representation.enumerated) if representation else "xs:string"
        use = "required" if attribute.usage_status == m.UsageStatus.mandatory else "optional"
        etree.SubElement(observation, xs + "attribute", name=attribute.id, type=type_name, use=use)
    return etree.tostring(schema, encoding="utf-8", xml_declaration=True, pretty_print=True)
