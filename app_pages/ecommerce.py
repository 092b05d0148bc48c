"""ecommerce page: the shared domain view."""

from ui.domain_page import render

render("ecommerce")
