using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace QuotaKit.AspNetCore;

/// <summary>Ready-made amounts for <see cref="QuotaRequirement.AmountFrom"/>: a constant, a route value, a query value, a header, or the body.</summary>
public static class QuotaAmount
{
    /// <summary>The route value <paramref name="name"/> as a whole number (<c>/images/{count}</c>).</summary>
    public static Func<QuotaRequestContext, ValueTask<long>> FromRoute(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return context => ValueTask.FromResult(Parse(
            context.HttpContext.Request.RouteValues.TryGetValue(name, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) : null,
            $"route value '{name}'"));
    }

    /// <summary>The query value <paramref name="name"/> as a whole number (<c>?count=3</c>).</summary>
    public static Func<QuotaRequestContext, ValueTask<long>> FromQuery(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return context => ValueTask.FromResult(Parse(Single(context.HttpContext.Request.Query[name]), $"query value '{name}'"));
    }

    /// <summary>The request header <paramref name="name"/> as a whole number.</summary>
    public static Func<QuotaRequestContext, ValueTask<long>> FromHeader(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return context => ValueTask.FromResult(Parse(Single(context.HttpContext.Request.Headers[name]), $"header '{name}'"));
    }

    /// <summary>
    /// An amount read from the bound body (or any bound argument) of type <typeparamref name="T"/>: the handler takes a
    /// <typeparamref name="T"/> parameter, and the gate runs after binding, so the body is read once.
    /// </summary>
    public static Func<QuotaRequestContext, ValueTask<long>> FromBody<T>(Func<T, long> select)
    {
        ArgumentNullException.ThrowIfNull(select);
        return context => ValueTask.FromResult(select(context.GetArgument<T>()));
    }

    internal static long Parse(string? text, string source)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw new QuotaRequestException($"The quota amount is missing: send the {source} as a whole number.");
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var amount)
            ? amount
            : throw new QuotaRequestException($"The quota amount in the {source} is not a whole number: '{Truncate(text)}'.");
    }

    private static string? Single(StringValues values) =>
        values.Count switch
        {
            0 => null,
            1 => values[0],
            _ => throw new QuotaRequestException("The quota amount is given more than once; send it once."),
        };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
