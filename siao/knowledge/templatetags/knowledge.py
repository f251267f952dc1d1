from django import template

from siao.knowledge.rendering import render_markdown

register = template.Library()


@register.filter
def safe_markdown(text):
    """An article's Markdown as sanitized HTML (siao/knowledge/rendering.py)."""
    return render_markdown(text)
