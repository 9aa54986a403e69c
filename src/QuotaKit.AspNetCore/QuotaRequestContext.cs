using Microsoft.AspNetCore.Http;

namespace QuotaKit.AspNetCore;

/// <summary>The request being gated, and the handler's arguments once bound (route, query, header, body).</summary>
public sealed class QuotaRequestContext
{
    /// <summary>Creates a context.</summary>
    public QuotaRequestContext(HttpContext httpContext, IReadOnlyList<object?> arguments)
    {
        HttpContext = httpContext ?? throw new ArgumentNullException(nameof(httpContext));
        Arguments = arguments ?? throw new ArgumentNullException(nameof(arguments));
    }

    /// <summary>The request.</summary>
    public HttpContext HttpContext { get; }

    /// <summary>The handler's bound arguments (a minimal API's parameters, an MVC action's arguments).</summary>
    public IReadOnlyList<object?> Arguments { get; }

    /// <summary>The first bound argument of type <typeparamref name="T"/>, e.g. the JSON body.</summary>
    /// <exception cref="QuotaRequestException">No argument of that type was bound.</exception>
    public T GetArgument<T>()
    {
        foreach (var argument in Arguments)
        {
            if (argument is T typed)
            {
                return typed;
            }
        }

        throw new QuotaRequestException($"The request has no {typeof(T).Name} to take the quota amount from.");
    }
}
