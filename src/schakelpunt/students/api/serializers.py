"""Student data for the API, split into the parts the access module grants."""

from typing import Any

from rest_framework import serializers

from schakelpunt.access.parts import Part

from ..models import Student

# Which fields belong to which part of the file.
PART_FIELDS: dict[Part, tuple[str, ...]] = {
    Part.IDENTITY: (
        "student_number",
        "first_name",
        "name_prefix",
        "last_name",
        "preferred_name",
        "date_of_birth",
    ),
    Part.CONTACT: ("email", "phone", "postcode", "residence_municipality"),
    Part.ENROLMENT: (
        "location",
        "programme",
        "level",
        "pathway",
        "prior_education",
        "has_basic_qualification",
        "basic_qualification_on",
        "enrolled_on",
        "left_on",
    ),
}


class StudentListSerializer(serializers.ModelSerializer[Student]):
    class Meta:
        model = Student
        fields = (
            "id",
            "student_number",
            "first_name",
            "name_prefix",
            "last_name",
            "preferred_name",
        )


class StudentDetailSerializer(serializers.ModelSerializer[Student]):
    """Only the fields of the parts in `context['parts']` are present in the output."""

    location = serializers.CharField(source="location.name", read_only=True)
    programme = serializers.CharField(source="programme.name", read_only=True)
    level = serializers.IntegerField(source="programme.level", read_only=True)
    pathway = serializers.CharField(source="programme.pathway", read_only=True)
    residence_municipality = serializers.CharField(
        source="residence_municipality.cbs_code", read_only=True, allow_null=True
    )
    parts = serializers.SerializerMethodField()

    class Meta:
        model = Student
        fields = ("id", "parts", *[f for fields in PART_FIELDS.values() for f in fields])
        read_only_fields = fields

    def get_parts(self, obj: Student) -> list[str]:
        return sorted(self.context["parts"])

    def to_representation(self, instance: Student) -> dict[str, Any]:
        data = super().to_representation(instance)
        allowed = {"id", "parts"}
        for part in self.context["parts"]:
            allowed.update(PART_FIELDS.get(part, ()))
        return {key: value for key, value in data.items() if key in allowed}
