"""Cue words of the rules: attack nouns and verbs, other senses of "strike", frames.

General vocabulary of the beat, not phrases of any one article. Every list is
matched as whole words (inflections are listed), case-insensitively, in the one
pass of :mod:`newsingest.classify.matcher`; the longest phrase wins, so "hunger
strike" is read as one non-military phrase and never as "strike".
"""

from __future__ import annotations

from newsingest.records import Actor, StrikeType


def _forms(*stems: str) -> list[str]:
    """A noun with its plural ("attack" -> attack, attacks)."""
    out: list[str] = []
    for stem in stems:
        out.append(stem)
        out.append(stem + ("es" if stem.endswith(("sh", "ch", "s", "x")) else "s"))
    return out


# Attack nouns -> (the strike type they name, how strongly they name a military attack).
ATTACK_NOUNS: dict[str, tuple[StrikeType | None, float]] = {}
for _t, _strength, _words in (
    (
        "airstrike",
        1.0,
        _forms(
            "airstrike",
            "air strike",
            "air-strike",
            "air raid",
            "air attack",
            "bombing raid",
            "bombing run",
            "aerial bombardment",
            "aerial attack",
            "precision strike",
        ),
    ),
    ("drone_strike", 1.0, _forms("drone strike", "drone attack", "drone raid", "drone assault")),
    (
        "missile",
        1.0,
        _forms(
            "missile strike", "missile attack", "missile barrage", "missile salvo", "missile fire"
        ),
    ),
    (
        "rocket",
        1.0,
        _forms("rocket attack", "rocket barrage", "rocket salvo", "rocket strike", "rocket fire"),
    ),
    (
        "artillery",
        0.9,
        [
            *_forms("artillery strike", "artillery fire", "mortar attack", "mortar fire"),
            "shelling",
            "bombardment",
            "bombardments",
        ],
    ),
    (
        "bombing",
        1.0,
        _forms("suicide bombing", "car bombing", "suicide attack", "bomb attack", "bombing"),
    ),
    # The attacker, not the attack, but it names the kind: never the aircraft "bomber".
    ("bombing", 0.6, _forms("suicide bomber")),
    ("bombing", 0.5, _forms("blast", "explosion")),
    ("raid", 0.7, _forms("raid", "commando raid", "incursion")),
    (None, 0.8, _forms("strike", "barrage", "salvo", "ambush", "armed attack", "targeted killing")),
    (None, 0.9, ["came under attack", "came under fire", "came under heavy fire"]),
    (None, 0.6, [*_forms("attack", "assault", "shooting attack"), "assassination"]),
):
    for _w in _words:
        ATTACK_NOUNS[_w] = (_t, _strength)  # type: ignore[assignment]

# fmt: off
# Verbs of harm: evidence of an attack, but they never tell who struck ("troops were killed").
CASUALTY_VERBS = [
    "killed", "kills", "kill", "killing", "wounded", "injured", "wounding", "injure",
]

# Verbs that report an attack as done (past tense, or the headline present) -> strength.
ATTACK_VERBS: dict[str, float] = {
    **dict.fromkeys([
        "bombed", "pounded", "shelled", "raided", "ambushed", "bombs", "pounds",
    ], 1.0),
    **dict.fromkeys([
        "struck", "attacked", "detonated", "blew up", "rained down", "slammed into",
        "blew themselves up", "blew himself up", "blew herself up", "blown up",
    ], 0.9),
    **dict.fromkeys([
        "hit", "hits", "targeted", "targets", "fired", "fires", "exploded", "stormed",
        "storms", "rammed",
    ], 0.6),
    **dict.fromkeys([
        "destroyed", "opened fire", "dropped", "launched", "launches", "carried out", "carries out",
        "conducted", "conducts", "exploding", "explode", "explodes",
    ], 0.5),
    **dict.fromkeys(CASUALTY_VERBS, 0.4),
}

# Phrases where "strike"/"attack"/"struck" mean something else; matched whole, they hide the word.
OTHER_SENSES: list[str] = [
    "hunger strike", "hunger strikes", "general strike", "general strikes", "labour strike",
    "labour strikes", "labor strike", "labor strikes", "wildcat strike", "wildcat strikes",
    "strike action", "strike actions", "strike rate", "strike rates", "strike price",
    "strike prices", "strike zone", "strike zones", "strike ballot", "strike ballots",
    "lightning strike", "lightning strikes", "heart attack", "heart attacks", "panic attack",
    "panic attacks", "asthma attack", "asthma attacks", "shark attack", "shark attacks",
    "cyber attack", "cyber attacks", "cyberattack", "cyberattacks", "ransomware attack",
    "ransomware attacks", "hacking attack", "hacking attacks", "verbal attack", "verbal attacks",
    "teachers strike", "teachers strikes", "doctors strike", "doctors strikes", "nationwide strike",
    "nationwide strikes", "one-day strike", "one-day strikes", "open-ended strike",
    "open-ended strikes", "rail strike", "rail strikes", "transport strike", "transport strikes",
    "strike group", "strike groups", "carrier strike group", "carrier strike groups", "on strike",
    "went on strike", "go on strike", "goes on strike", "remain on strike", "strike down",
    "strikes down", "struck down", "striking down", "strike a deal", "strikes a deal",
    "struck a deal", "striking a deal", "strike deal", "strike a balance", "strikes a balance",
    "struck a balance", "strike a chord", "struck a chord", "strike a pose", "struck a pose",
    "strike a note", "struck a note", "strike a blow", "struck by lightning", "lightning struck",
    "earthquake struck", "quake struck", "earthquake strikes", "earthquake hit", "quake hit",
    "tragedy struck", "disaster struck", "striking workers", "striking teachers",
    "striking doctors", "strikers", "striker", "hit song", "hit single", "box office hit",
    "big hit", "hit record", "hit hard", "fired up", "fired from his job", "was fired",
    "were fired", "got fired",
]

# Words of a military context: they confirm that an attack word means an attack.
MILITARY: list[str] = [
    "military", "army", "armed forces", "forces", "troops", "soldier", "soldiers", "service member",
    "service members", "servicemen", "personnel", "militia", "militias", "militiamen", "militant",
    "militants", "fighters", "jihadist", "jihadists", "rebels", "insurgents", "gunmen", "commander",
    "suicide bomber", "suicide bombers", "commanders", "garrison", "outpost", "convoy", "base",
    "bases", "air base", "airbase", "pentagon", "centcom", "central command", "defence ministry",
    "defense ministry", "defence official", "defense official", "revolutionary guards",
    "revolutionary guard", "irgc", "quds force", "air force", "navy", "warship", "warships",
    "destroyer", "armed group", "armed groups", "paramilitary", "paramilitaries", "security forces",
    "weapons depot", "ammunition", "munitions", "launcher", "launchers", "sirens", "interceptors",
    "air defence", "air defences", "air defense", "air defenses", "command centre",
    "command center", "headquarters", "combatants", "operatives", "war monitor", "ceasefire line",
    "front line", "frontline",
]

# Words of another kind of news; many of them in a sentence outweigh a lone "strike".
OTHER_DOMAIN: list[str] = [
    "factory", "factories", "plant", "plants", "carmakers", "company", "companies", "bargaining",
    "contract", "negotiators", "union", "unions", "workers", "wages", "salaries", "salary",
    "pay rise", "pay rises", "pension", "pensions", "walkout", "picket", "employees", "sit-in",
    "labour", "labor", "goal", "goals", "scored", "header", "football", "league", "cup",
    "tournament", "coach", "bowler", "bowling", "cricket", "wicket", "innings", "referee", "bout",
    "match", "stoppage time", "half-time", "penalty", "semi-finals", "final", "lightning", "storm",
    "storms", "thunderstorm", "flood", "floods", "flash floods", "earthquake", "quake", "magnitude",
    "aftershock", "tremor", "hail", "rain", "court", "judge", "judges", "ruling", "ruled",
    "unconstitutional", "lawsuit", "verdict", "oil prices", "shares", "stocks", "investors",
    "budget", "economists", "revenue", "cholera", "outbreak", "virus", "ransomware", "hackers",
    "deliveries", "customers",
]

# Frames of other main news: when the lead is about these, a strike in it is context.
OTHER_FRAMES: list[str] = [
    "drill", "drills", "exercise", "exercises", "war games", "lawsuit", "sues", "sued", "suing",
    "funeral", "funerals", "mourners", "mourn", "mourned", "mourning", "burial", "buried", "coffin",
    "procession", "anniversary", "commemorate", "commemorated", "commemoration", "memorial",
    "election", "elections", "vote", "voted", "votes", "voting", "ballot", "lawmakers", "talks",
    "negotiations", "dialogue", "sanctions", "sanctioned", "designation", "designate", "designated",
    "re-lists", "trial", "verdict", "ceasefire", "truce", "deal", "agreement", "unveiled",
    "unveils", "unveil", "parade", "test-fired", "arms sale", "sale", "approved", "approves",
    "interview", "analysis", "withdrawal", "suspend", "suspends", "suspended", "suspending",
    "protest", "protests", "march", "rally", "annual report", "investigation", "inquiry",
    "reconstruction", "rebuilt", "compensation", "shipping rates", "freight rates", "insurers",
    "premiums", "hostages",
]

# Irrealis: threats, plans, conditions, questions; an attack after these has not happened.
IRREALIS: list[str] = [
    "simulate", "simulates", "simulated", "simulating", "rehearse", "rehearsing", "practised",
    "practiced", "vow", "vows", "vowed", "vowing", "threaten", "threatens", "threatened",
    "threatening", "threat", "threats", "warn", "warns", "warned", "warning", "would", "could",
    "might", "may", "will", "plan", "plans", "planned", "planning", "prepare", "prepares",
    "preparing", "weigh", "weighs", "weighing", "option", "options", "consider", "considers",
    "considering", "if", "pledge", "pledged", "pledges", "promise", "promised", "promises",
    "intend", "intends", "ready to", "seek", "seeks", "want", "wants", "urge", "urged", "urges",
    "call for", "calls for", "called for", "demand", "demands", "possible", "potential", "risk",
    "risks", "fear", "fears", "bracing", "avenge", "revenge", "retaliate", "retaliation against",
    "hypothetical", "scenario", "should", "must", "decide", "decided how", "punished", "unpunished",
]

# The attack after these refers back to an earlier event, not the news itself.
BACK_REFERENCE: list[str] = [
    "in response to", "response to", "respond to", "responding to", "in retaliation for",
    "retaliation for", "revenge for", "avenge", "avenged", "avenging", "answered", "answering",
    "in answer to", "since", "in the wake of", "blamed for",
    "responsible for", "linked to", "tied to", "before", "prior to", "the deadliest since",
]

# "after": in a headline or a lead the attack after it is usually the news ("crew abandons ship
# after missile strike"); further down, an earlier event ("the raid followed an ambush").
AFTER: list[str] = [
    "after", "following", "followed", "follows", "days after", "weeks after", "hours after",
]

# Negation just before an attack word.
NEGATION: list[str] = [
    "no", "not", "never", "without", "denied", "deny", "denies", "denying", "halt", "halted",
    "halting", "stop", "stopped", "end", "ending", "ended", "false", "suspend", "suspends",
    "suspended", "suspending", "did not", "didn't", "has not", "have not",
]

# Time words that mark a sentence as background (an earlier event).
BACKGROUND: list[str] = [
    "last month", "last year", "last week", "earlier this month", "earlier this year",
    "earlier in the month", "earlier in the week", "earlier this week", "years ago", "a year ago",
    "months ago", "previously", "in the past", "previous years", "previous year", "in previous",
    "so far", "in recent months", "in recent weeks", "recent months", "recent weeks",
    "over the past", "had been targeted", "years after", "at the time", "back then",
    "in the first few months", "prior to that", "last time",
]

# Who struck: words that name an actor (case-insensitive ones; "US" is matched apart).
ACTOR_CUES: dict[str, Actor] = {
    **dict.fromkeys([
        "united states", "american", "americans", "america", "pentagon", "centcom",
        "central command", "us military", "us forces", "washington", "biden", "trump",
    ], "us"),
    **dict.fromkeys([
        "israel", "israeli", "israelis", "idf", "israel defense forces", "israel defence forces",
        "israeli military", "israeli army", "israeli air force",
    ], "israel"),
    **dict.fromkeys([
        "the coalition", "coalition forces", "coalition jets", "coalition warplanes",
        "coalition aircraft", "international coalition", "global coalition", "arab coalition",
        "us-led coalition", "saudi-led coalition", "britain", "british", "uk", "raf", "allied",
        "joint strikes", "emirati-led coalition",
    ], "coalition"),
    **dict.fromkeys([
        "iraqi air force", "iraqi warplanes", "iraqi jets", "iraqi f-16s", "iraqi f-16",
        "iraqi forces", "iraqi army", "iraqi security forces", "iraqi military",
        "joint operations command", "counter-terrorism service", "security media cell",
        "iraqi troops",
    ], "iraq"),
    **dict.fromkeys([
        "iran", "iranian", "revolutionary guards", "revolutionary guard corps", "irgc", "tehran",
        "islamic revolutionary guard corps",
    ], "iran"),
    **dict.fromkeys([
        "turkey", "turkish", "turkiye", "russia", "russian", "jordanian", "pakistan", "pakistani",
        "syrian army", "syrian government", "syrian regime", "egyptian", "french", "german",
        "saudi air defences",
    ], "other"),
    **dict.fromkeys([
        "militants", "militant", "militia", "militias", "gunmen", "attackers", "assailants",
        "suicide bomber", "suicide bombers", "jihadists", "rebels", "insurgents", "armed group",
        "terrorist group", "terrorist groups", "terrorist organisation", "terrorist organisations",
        "terrorist organization", "terrorist organizations", "terrorists",
    ], "militia"),
}

# Claims of responsibility: the group named next to these is the perpetrator.
CLAIMS: list[str] = [
    "claimed responsibility", "claims responsibility", "claiming responsibility",
    "claimed the attack", "claimed the strike", "claimed the attacks", "claimed an attack",
    "claimed the drone attack", "claimed the rocket attack", "took responsibility",
    "said it had launched", "said it launched", "said it fired", "said it had fired",
    "said it targeted", "said it had targeted", "said they had launched", "said they launched",
    "said they fired", "said they had fired", "said they targeted", "said they had targeted",
    "said they had attacked", "said it had attacked",
]

# Attribution by others: the actor named after these is the one blamed for the attack.
BLAME: list[str] = [
    "blamed", "blames", "blaming", "accused", "accuses", "accusing", "footprints of",
    "hallmarks of", "blamed on", "held responsible", "holds responsible", "attributed",
]

# Verbs of defence: whoever intercepts a missile is not who fired it.
DEFENCE: list[str] = [
    "intercepted", "intercepts", "intercepting", "shot down", "shoots down", "downed", "repelled",
    "thwarted", "foiled",
]

# A counter-strike after the lead is a reply to the news, not its actor.
RESPONSE: list[str] = [
    "responded with", "responded by", "retaliated with", "retaliated by", "hit back",
    "hit back with", "returned fire", "fired back", "later",
]

KILLED: list[str] = [
    "killed", "killing", "kills", "dead", "died", "death toll", "fatalities", "deaths", "perished",
    "slain", "lost their lives", "bodies", "victim", "victims", "casualties",
]

INJURED: list[str] = [
    "wounded", "injured", "hurt", "injuring", "wounding", "injuries",
]

# fmt: on
