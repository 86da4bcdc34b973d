{% macro stage_at_moment_fallback(opportunity, moment_at, first_stage, first_open_stage_name) %}
    {#- The stage of an opportunity at a moment when no stage-history row was entered by then: the
        fallback of the doc block sales__stage_at_moment, used with coalesce after the last stage
        entered before the moment. -#}
    case
        when {{ opportunity }}.closed_at < {{ moment_at }} then {{ opportunity }}.stage
        when not {{ first_stage }}.is_closed_stage then {{ first_stage }}.stage_name
        when not {{ opportunity }}.is_closed then {{ opportunity }}.stage
        else {{ first_open_stage_name }}
    end
{% endmacro %}
