namespace QuotaKit;

/// <summary>The length of a calendar period; weeks also need a first day.</summary>
internal enum CalendarUnit
{
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}
