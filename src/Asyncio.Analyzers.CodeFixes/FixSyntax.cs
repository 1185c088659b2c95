using Microsoft.CodeAnalysis.Simplification;

namespace Asyncio.Analyzers;

/// <summary>The pieces of syntax the fixes build, in one place.</summary>
internal static class FixSyntax
{
    /// <summary>
    /// <c>Aio.Name</c>, written fully qualified and marked for simplification, so that it reads <c>Aio.Name</c>
    /// where <c>using Asyncio;</c> is in scope and stays correct where it is not.
    /// </summary>
    public static MemberAccessExpressionSyntax AioMember(string name) =>
        MemberAccessExpression(
            SyntaxKind.SimpleMemberAccessExpression,
            ParseName("global::Asyncio.Aio").WithAdditionalAnnotations(Simplifier.Annotation),
            IdentifierName(name));

    /// <summary><c>await expression</c>, parenthesized where its place needs it (the simplifier drops needless parentheses).</summary>
    public static ExpressionSyntax Await(ExpressionSyntax expression) =>
        ParenthesizedExpression(AwaitExpression(expression.WithoutTrivia()))
            .WithAdditionalAnnotations(Simplifier.Annotation);

    /// <summary>Replaces <paramref name="node"/> with <paramref name="replacement"/>, keeping its trivia.</summary>
    public static async Task<Document> ReplaceAsync(Document document, SyntaxNode node, SyntaxNode replacement, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null) return document;
        return document.WithSyntaxRoot(root.ReplaceNode(node, replacement.WithTriviaFrom(node)));
    }
}
