using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.Infrastructure;

namespace QuotaKit.AspNetCore;

/// <summary>
/// The MVC filter of <see cref="RequireQuotaAttribute"/>: runs after model binding, with the same gate as minimal APIs.
/// Several attributes on one action give several filters; the first gates every requirement, the others pass.
/// </summary>
internal sealed class QuotaActionFilter(QuotaGate gate) : IAsyncActionFilter
{
    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        var http = context.HttpContext;
        if (http.Features.Get<IQuotaFeature>() is not null)
        {
            await next();
            return;
        }

        var requirements = QuotaGate.RequirementsOf(http);
        var rejection = await gate.AdmitAsync(http, context.ActionArguments.Values.ToList(), requirements);
        if (rejection is not null)
        {
            context.Result = new HttpResultActionResult(rejection);
            return;
        }

        var executed = await next();
        var failed = executed.Exception is not null && !executed.ExceptionHandled
            || executed.Result is IStatusCodeActionResult { StatusCode: >= StatusCodes.Status500InternalServerError };
        await gate.SettleAsync(http, failed);
    }

    /// <summary>Runs a minimal API result (the gate's problem response) as an MVC result.</summary>
    private sealed class HttpResultActionResult(IResult result) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) => result.ExecuteAsync(context.HttpContext);
    }
}
