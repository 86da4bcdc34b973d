{#- The billing orders known at the end of the as-of date: those booked before the midnight that
    ends it, whenever their service starts (a renewal booked early is known at once). -#}
{{ rows_known_as_of(ref('stg_billing__orders'), 'ordered_at') }}  -- noqa: AM04
