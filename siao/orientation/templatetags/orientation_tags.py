"""`{% household_requests household actor as block %}`: the requests part of the household
file (siao/templates/households/_requests_block.html), in a fixed number of queries."""

from django import template

from siao.orientation.queries import requests_block

register = template.Library()


@register.simple_tag
def household_requests(household, actor) -> dict:
    return requests_block(household, actor)
