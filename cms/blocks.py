from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("heading"))
    level = blocks.ChoiceBlock(choices=[("h2", "H2"), ("h3", "H3")], default="h2", label=_("level"))

    class Meta:
        icon = "title"
        template = "cms/blocks/heading_block.html"
        label = _("Heading")
        description = _("A section heading")
        preview_value = {"text": "Lễ hội mùa xuân", "level": "h2"}


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("quotation"))
    attribution = blocks.CharBlock(required=False, label=_("attribution"))

    class Meta:
        icon = "openquote"
        template = "cms/blocks/quote_block.html"
        label = _("Quotation")
        description = _("A quotation with its source")
        preview_value = {"text": "Uống nước nhớ nguồn.", "attribution": "Tục ngữ"}


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul"],
        label=_("Paragraph"),
        icon="pilcrow",
        template="cms/blocks/paragraph_block.html",
        description=_("Running text"),
        preview_value="<p>Văn bản mẫu.</p>",
    )
    image = ImageBlock(
        label=_("Image"),
        template="cms/blocks/image_block.html",
        description=_("An image with required alternative text"),
    )
    quote = QuoteBlock()

    class Meta:
        template = "cms/blocks/body_block.html"
