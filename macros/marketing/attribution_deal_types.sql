{% macro attribution_deal_types() -%}
    {#- The deal types (opportunity_type) that count as conversions for attribution: the
        attribution_deal_types var, checked at compile time. -#}
    {%- set known_types = opportunity_types() -%}
    {%- set deal_types = var('attribution_deal_types', new_logo_types()) -%}
    {%- if deal_types is string or deal_types is not iterable or deal_types is mapping
        or deal_types | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "The attribution_deal_types var must be a non-empty list of deal types (any of "
            ~ known_types | join(', ') ~ "), got: " ~ deal_types
        ) }}
    {%- endif -%}
    {%- for deal_type in deal_types -%}
        {%- if deal_type not in known_types -%}
            {{ exceptions.raise_compiler_error(
                "The attribution_deal_types var names an unknown deal type: " ~ deal_type
                ~ " (known types: " ~ known_types | join(', ') ~ ")"
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(deal_types | unique | list) }}
{%- endmacro %}
