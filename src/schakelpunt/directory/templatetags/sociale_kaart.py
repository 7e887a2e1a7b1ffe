"""`{% sociale_kaart_url student %}`: the sociale kaart pre-filtered for a student."""

from django import template
from django.utils import timezone

from schakelpunt.directory.selectors import search_url_for_student
from schakelpunt.students.models import Student

register = template.Library()


@register.simple_tag
def sociale_kaart_url(student: Student) -> str:
    return search_url_for_student(student, timezone.localdate())
