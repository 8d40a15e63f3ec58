"""Why an article did or did not match: the rules that fired, their weights, the score.

Built for `newswatch watchlists explain`, for every watch-list, also those that stayed
below their threshold, so an analyst can see how close an article came. A list's query
is shown node by node: whether each part holds, and why (a term not found, a NOT that
excluded the article, a NEAR whose nearest pair was too far apart).
"""

from __future__ import annotations

from dataclasses import dataclass

from newswatch.watchlists.rules.model import Hit

MAX_HITS_PER_NODE = 5  # a term repeated 200 times would drown the report


@dataclass(frozen=True, slots=True)
class RuleExplanation:
    """One rule of a watch-list on one article."""

    name: str
    weight: float
    mentions: int  # mentions found (after vetoes and overlaps)
    counted: int  # mentions that scored (capped by max_repeats; 0 below min_mentions)
    points: float
    vetoed: int  # mentions removed by an exclusion or the rule's `none`
    min_mentions: int
    evidence: tuple[Hit, ...]


@dataclass(frozen=True, slots=True)
class QueryNodeExplanation:
    """One part of a query: as written, whether it holds, why, and its evidence."""

    depth: int  # 0 for the whole query, 1 for its operands, ...
    written: str
    holds: bool  # for a NOT: its operand was not found
    reason: str
    evidence: tuple[Hit, ...]


@dataclass(frozen=True, slots=True)
class QueryExplanation:
    """A list's query on one article."""

    text: str
    matched: bool
    points: float  # the list's threshold when it matched, else 0
    nodes: tuple[QueryNodeExplanation, ...]


@dataclass(frozen=True, slots=True)
class WatchlistExplanation:
    watchlist: str
    threshold: float
    score: float
    matched: bool
    rules: tuple[RuleExplanation, ...]
    query: QueryExplanation | None = None


@dataclass(frozen=True, slots=True)
class Explanation:
    """The engine's reasoning for one article, for every watch-list."""

    language: str | None
    language_detected: bool
    watchlists: tuple[WatchlistExplanation, ...]

    def render(self) -> str:
        """A plain-text report for people."""
        shown = self.language or "unknown"
        lines = [f"language: {shown}" + (" (detected)" if self.language_detected else "")]
        for item in self.watchlists:
            verdict = "MATCH" if item.matched else "no match"
            lines.append(
                f"\n{item.watchlist}: score {item.score:g} / threshold {item.threshold:g}: {verdict}"
            )
            fired = [rule for rule in item.rules if rule.mentions or rule.vetoed]
            if item.rules and not fired:
                lines.append("  no rule fired")
            for rule in fired:
                lines.append(_rule_line(rule))
                lines.extend(
                    f'      {hit.field} {hit.start}-{hit.end} "{hit.text}": {hit.snippet}'
                    for hit in rule.evidence
                )
            if item.query is not None:
                lines.extend(_query_lines(item.query))
        return "\n".join(lines) + "\n"


def _query_lines(query: QueryExplanation) -> list[str]:
    lines = [f"  {query.points:+.2f}  query: {'matched' if query.matched else 'no match'}"]
    for node in query.nodes:
        indent = "  " * node.depth
        lines.append(f"      {'yes' if node.holds else 'no ':3}  {indent}{node.written}: {node.reason}")
        lines.extend(
            f'             {indent}{hit.field} {hit.start}-{hit.end} "{hit.text}": {hit.snippet}'
            for hit in node.evidence[:MAX_HITS_PER_NODE]
        )
        if len(node.evidence) > MAX_HITS_PER_NODE:
            lines.append(f"             {indent}... and {len(node.evidence) - MAX_HITS_PER_NODE} more")
    return lines


def _rule_line(rule: RuleExplanation) -> str:
    line = f"  {rule.points:+.2f}  {rule.name}: weight {rule.weight:g} x {rule.counted}"
    notes = []
    if rule.mentions > rule.counted:
        notes.append(
            f"{rule.mentions} mentions"
            + (f", needs {rule.min_mentions}" if rule.counted == 0 else ", capped")
        )
    if rule.vetoed:
        notes.append(f"{rule.vetoed} vetoed by an exclusion")
    return line + (f" ({'; '.join(notes)})" if notes else "")
