"""Seeded builder of the shipped labelled corpus ``resources/labelled_corpus.jsonl``.

Re-run it to rewrite the shipped file byte for byte::

    python tools/make_corpus.py            # writes into src/georisk/scoring/resources/
    python tools/make_corpus.py --out FILE  # writes elsewhere

Every sentence is authored for georisk: hand-written sentences plus templates whose slots
(actors, places, weapons, venues) are filled from phrase banks for several conflicts
(Russia-Ukraine, Israel-Iran, China-Taiwan, India-Pakistan, the two Koreas,
Armenia-Azerbaijan, Sudan, Serbia-Kosovo), so that relevance is learned from what is said
rather than from one country's name. Labels: ``hawkish`` (with ``kind`` ``threat`` or
``act``), ``peace``, ``mixed`` (both forces), ``neutral`` (on the conflict, neither force)
and ``off_topic``.

The hold-out split is by template, not by sentence: every record made from a held-out
template (and every fifth hand-written sentence) is marked ``"split": "holdout"``, so the
hold-out measures phrasing the model never saw, not near-copies of its training sentences.

Every record's ``conflict`` says which conflict it names: the conflict of its template's
fill (``russia-ukraine``, ``china-taiwan``, ...), ``unnamed`` when the sentence names no
party or place of any conflict (a template that fills only a venue, "The two presidents
shook hands"), ``none`` for off-topic text. Relevance to a conflict is judged against it:
a text is relevant to Russia-Ukraine when it is conflict news (not ``off_topic``) and names
that conflict. Hand-written sentences are tagged by hand (:data:`HAND_CONFLICT`, and the
second element of each :data:`HAND_ADDED` pair).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

SEED = 20250318
PER_TEMPLATE = {"hawkish": 7, "peace": 13, "mixed": 7, "neutral": 9, "off_topic": 9}
HOLDOUT_EVERY = 5

# (side A, side B, place, capital A, leader A, leader B, mediator venue)
CONFLICTS: dict[str, list[tuple[str, str, str, str, str, str, str]]] = {
    "russia-ukraine": [
        ("Russia", "Ukraine", "Donetsk", "Moscow", "Putin", "Zelensky", "Istanbul"),
        ("the Kremlin", "Kyiv", "Zaporizhzhia", "Moscow", "Lavrov", "Zelenskyy", "Riyadh"),
        ("Russian forces", "Ukrainian troops", "Kharkiv", "Moscow", "Peskov", "Sybiha", "Geneva"),
        ("Moscow", "Kyiv", "Pokrovsk", "the Kremlin", "Putin", "Zelensky", "Alaska"),
    ],
    "israel-iran": [
        ("Israel", "Iran", "the Golan Heights", "Jerusalem", "Netanyahu", "Khamenei", "Muscat"),
        ("Tehran", "Israel", "southern Lebanon", "Tehran", "Araghchi", "Netanyahu", "Doha"),
    ],
    "china-taiwan": [
        ("China", "Taiwan", "the Taiwan Strait", "Beijing", "Xi", "Lai", "Singapore"),
        ("Beijing", "Taipei", "the Kinmen islands", "Beijing", "Wang Yi", "Lai Ching-te", "Washington"),
    ],
    "india-pakistan": [
        ("India", "Pakistan", "Kashmir", "New Delhi", "Modi", "Sharif", "Abu Dhabi"),
        ("Pakistan", "India", "the Line of Control", "Islamabad", "Sharif", "Modi", "Riyadh"),
    ],
    "korea": [
        (
            "North Korea",
            "South Korea",
            "the demilitarised zone",
            "Pyongyang",
            "Kim Jong Un",
            "Lee Jae-myung",
            "Panmunjom",
        ),
    ],
    "caucasus": [
        ("Azerbaijan", "Armenia", "Nagorno-Karabakh", "Baku", "Aliyev", "Pashinyan", "Washington"),
    ],
    "sudan": [
        ("the Sudanese army", "the RSF", "El Fasher", "Port Sudan", "Burhan", "Dagalo", "Jeddah"),
    ],
    "balkans": [
        ("Serbia", "Kosovo", "the northern border", "Belgrade", "Vucic", "Kurti", "Brussels"),
    ],
}

# Templates: {a} side A, {b} side B, {p} place, {c} capital A, {la} leader A, {lb} leader B, {v} venue.
TEMPLATES: dict[tuple[str, str | None], list[str]] = {
    ("hawkish", "threat"): [
        "{la} threatened to abandon the talks unless {b} accepts the new demands.",
        "{c} warned of a forceful response if {b} crosses its red line near {p}.",
        "Hardliners in {c} are urging {la} to walk away from negotiations and escalate.",
        "{a} issued an ultimatum to {b}, giving it until Friday to withdraw from {p}.",
        "Officials in {c} signalled no intention to pause fighting around {p}.",
        "{a} is massing troops and armour along the approaches to {p}, satellite images show.",
        "{la} vowed to retaliate and put strategic forces on high alert.",
        "Hawks around {la} want the negotiations scrapped and the campaign widened.",
        "{c} refused a ceasefire and said the operation near {p} would continue.",
        "{a} warned it could cut off energy supplies if pressure from {b} continues.",
        "Lawmakers are preparing sweeping secondary sanctions should {a} keep stalling the talks.",
        "{la} rejected any compromise and said there would be no concessions over {p}.",
        "Military exercises near {p} raised fears that {a} is preparing a new offensive.",
        "{c} hinted at nuclear options in a stark warning to {b} and its allies.",
        "{la} called up reservists and ordered combat readiness checks across the army.",
        "The envoy from {c} said the peace plan was dead on arrival and dismissed talks with {b}.",
        "Analysts see the window for a negotiated settlement between {a} and {b} closing fast.",
        "{a} said it would treat any foreign troops in {p} as legitimate targets.",
    ],
    ("hawkish", "act"): [
        "{a} launched a massive missile and drone barrage on {p} overnight.",
        "Talks between {a} and {b} collapsed in {v} after the delegations walked out.",
        "Heavy shelling killed dozens of civilians in {p}, officials said.",
        "{a} opened a new offensive near {p} and captured several villages.",
        "Long-range strikes hit a refinery and an ammunition depot deep inside {b}'s territory.",
        "Washington and Brussels imposed a fresh sanctions package on {a}'s oil exports.",
        "{c} suspended the negotiations with {b} and recalled its delegation from {v}.",
        "Fighting intensified around {p} as both sides poured in reinforcements.",
        "Airstrikes destroyed power stations across {b}, leaving millions without electricity.",
        "{a} announced a partial mobilisation after heavy losses near {p}.",
        "Drones struck an oil terminal and set fuel tanks ablaze near {p}.",
        "The navy of {a} blockaded the ports, halting grain shipments from the region.",
        "{b} expelled diplomats from {c} after an attack on its embassy.",
        "Troops from {a} crossed into {p} and seized a key bridge.",
        "The ceasefire around {p} broke down within hours as artillery duels resumed.",
        "{a} pulled out of the grain and energy arrangements it had signed in {v}.",
        "Casualties mounted as {a} stormed defensive lines near {p}.",
        "New weapons deliveries, including long-range missiles, reached {b} this week.",
    ],
    ("peace", None): [
        "{a} and {b} agreed to a ceasefire along the front near {p}, mediators said.",
        "Negotiators from {c} and {b} made progress on a peace framework in {v}.",
        "{la} and {lb} held a phone call and agreed to resume talks next week.",
        "The two sides completed a prisoner swap brokered in {v}.",
        "A humanitarian corridor out of {p} opened on Tuesday under a local truce.",
        "Diplomats reported a breakthrough on security guarantees in the talks in {v}.",
        "{a} pulled back troops from {p} as a goodwill gesture ahead of the summit.",
        "Officials floated sanctions relief for {a} in exchange for a lasting truce.",
        "A backchannel between {c} and {b} has quietly advanced a draft peace deal.",
        "Both delegations signed a framework agreement in {v} to end hostilities.",
        "{lb} welcomed {la}'s offer to open negotiations without preconditions.",
        "Mediators in {v} said a deal to reopen shipping lanes was within reach.",
        "{a} and {b} agreed to exchange the bodies of fallen soldiers and detainees.",
        "A new round of talks in {v} ended with a joint statement on de-escalation.",
        "{c} said it was ready to lift sanctions if the truce holds for thirty days.",
        "Guns fell silent around {p} as the armistice took effect at midnight.",
        "Both governments endorsed a peace plan that includes a demilitarised buffer zone.",
        "{la} said the war could end within weeks after constructive talks with {lb}.",
    ],
    ("mixed", None): [
        "{lb} pushed for a ceasefire while {la} stalled and pressed the offensive near {p}.",
        "Talks in {v} made progress even as missile strikes hit {p} overnight.",
        "{a} agreed to a prisoner swap but threatened to escalate if new sanctions follow.",
        "Hopes for a truce rose in {v}, yet hardliners in {c} demanded a wider war.",
        "Despite the peace framework agreed in {v}, shelling around {p} intensified.",
        "Washington floated sanctions relief while Brussels prepared a fresh sanctions package on {a}.",
        "{la} welcomed the negotiations but warned that fighting near {p} would continue until victory.",
        "A grain corridor reopened, but drones struck the port near {p} a day later.",
        "Envoys reported a breakthrough on prisoners while {a} massed troops near {p}.",
        "The truce held in the north, but fighting raged around {p} in the south.",
    ],
    ("neutral", None): [
        "{la} met regional governors in {c} to discuss the budget for next year.",
        "The central bank of {b} kept interest rates unchanged, citing stable inflation.",
        "Officials in {c} published census data for the region around {p}.",
        "{lb} visited a school near {p} to mark the start of the academic year.",
        "A parliamentary committee in {c} reviewed the history curriculum.",
        "Residents of {p} queued for new identity documents at the local office.",
        "Analysts in {c} published a report on the demographics of the border regions.",
        "{b}'s statistics office said retail sales rose slightly last quarter.",
        "Journalists from {c} toured the rebuilt railway station in {p}.",
        "The foreign ministry of {b} appointed a new spokesperson on Monday.",
        "{la} gave a long interview about his childhood and his reading habits.",
        "Museums in {c} extended their opening hours for the holiday season.",
    ],
}

HAND: dict[tuple[str, str | None], list[str]] = {
    ("hawkish", "threat"): [
        "Russian hawks are pushing Putin to ditch the US talks and escalate the war.",
        "The Kremlin signalled no intention to pause fighting before the summer.",
        "Moscow refused a ceasefire and repeated its territorial demands.",
        "Trump said Russia would face crushing sanctions if it keeps rejecting the truce.",
        "A senator's bill would slap 500% tariffs on buyers of Russian oil if talks fail.",
        "Putin's envoy said there is no point in a truce while Kyiv keeps receiving weapons.",
        "The Kremlin said it is ready to walk away from the table if its terms are ignored.",
        "Iran warned that any strike on its nuclear sites would trigger a regional war.",
        "Beijing said it would never renounce the use of force over Taiwan.",
        "North Korea threatened a 'merciless' response to the joint drills.",
        "Hardliners dismissed the ceasefire proposal as a trap for Moscow.",
        "Lavrov ruled out any freeze of the front line and demanded full withdrawal.",
        "Deadline passes with no deal, and officials warn of a tougher stance.",
        "Nuclear sabre-rattling returned as Medvedev warned Europe of retaliation.",
        "Without a breakthrough, hawks say, the offensive must be stepped up.",
        "Moscow warned that Western long-range missiles would make NATO a direct party to the war.",
        "The defence minister said the army stands ready to strike if the border incidents continue.",
        "Pyongyang vowed to answer the drills with an 'overwhelming' show of force.",
        "Tehran threatened to close the Strait of Hormuz if new penalties are imposed.",
        "Officials in Beijing said reunification by force remains on the table.",
        "The Kremlin dismissed Kyiv's offer of an energy truce as a stunt and vowed to press on.",
        "Senior commanders are pushing for a spring offensive before any talks resume.",
        "Medvedev said Russia could target decision-making centres in Kyiv.",
        "Baku accused Yerevan of provocations and warned of a decisive response.",
        "A draft decree would extend the call-up to men aged up to 35.",
        "Islamabad warned that diverting the river's water would be treated as an act of war.",
        "Washington is weighing secondary tariffs on countries that keep buying Russian crude.",
        "The spokesman said there could be no ceasefire until all occupied land is returned.",
        "Putin said Moscow would respond in kind to any deployment of US missiles in Europe.",
        "Belgrade put its troops on the highest level of readiness along the boundary line.",
        "Hardline lawmakers tabled a motion to end all contacts with the mediators.",
    ],
    ("hawkish", "act"): [
        "Russia launched its largest drone barrage of the war on Kyiv.",
        "Ukraine's deep strikes hit oil refineries hundreds of kilometres inside Russia.",
        "The EU adopted its 18th sanctions package, targeting the shadow fleet.",
        "Peace talks broke down after Moscow's delegation left Istanbul.",
        "Russian troops captured the town after months of fighting.",
        "A missile hit a crowded railway station, killing at least fifty people.",
        "Washington blacklisted two Russian oil majors and their subsidiaries.",
        "Ukrainian drones set a Black Sea oil terminal on fire.",
        "Israel struck air defences in Iran in a wave of overnight raids.",
        "Azerbaijani forces launched an offensive in Nagorno-Karabakh.",
        "The RSF stormed El Fasher after an 18-month siege.",
        "Russia pulled out of the Black Sea grain deal and bombed Odesa's ports.",
        "Overnight, a wave of Shahed drones slammed into power plants across western Ukraine.",
        "Israeli jets hit targets in Tehran for a second night.",
        "The army said it had retaken three villages after a week of street fighting.",
        "Chinese warships and bombers encircled Taiwan in the largest drills in years.",
        "Russian glide bombs pounded front-line towns in the Zaporizhzhia region.",
        "Indian missiles struck what New Delhi called terrorist camps across the border.",
        "At least 30 people died when a rocket hit an apartment block in Dnipro.",
        "The RSF shelled a displacement camp outside El Fasher, aid groups said.",
        "Brussels froze the assets of a dozen more Russian banks on Friday.",
        "North Korea test-fired an intercontinental ballistic missile into the sea.",
        "Ukrainian saboteurs blew up a railway bridge used to supply Russian troops.",
        "Azerbaijani troops moved into Karabakh, and thousands of Armenians fled.",
        "The talks ended abruptly when one delegation left the room.",
        "Kyiv's forces pushed deeper into the Kursk region, taking dozens of prisoners.",
        "Sirens sounded across Israel as Iranian ballistic missiles rained down.",
        "The coast guard boarded and detained a shadow-fleet tanker carrying Russian oil.",
    ],
    ("peace", None): [
        "US and Russian envoys met in Riyadh and agreed to restore their embassies.",
        "Kyiv and Moscow agreed a 30-day halt to strikes on energy infrastructure.",
        "The UN brokered a deal to let grain ships leave Odesa safely.",
        "Zelensky said he is open to a ceasefire along the current front line.",
        "Both sides swapped 390 prisoners each in the largest exchange of the war.",
        "Oil fell as traders bet a ceasefire would ease supply fears.",
        "Witkoff held five hours of talks with Putin on a peace plan.",
        "Trump and Putin agreed to meet in Alaska to discuss ending the war.",
        "India and Pakistan agreed to an immediate and full ceasefire.",
        "Armenia and Azerbaijan initialled a peace treaty at the White House.",
        "A maritime truce in the Black Sea was agreed in talks in Saudi Arabia.",
        "Negotiators said sanctions on Russian fertiliser exports could be eased.",
        "The two presidents shook hands and pledged to keep talking.",
        "Kyiv and Moscow traded lists of detainees ahead of another exchange.",
        "Mediators said both sides had accepted the text of a ceasefire in principle.",
        "Washington eased some restrictions on Belarusian potash as a goodwill gesture.",
        "Turkey offered to host a new round of direct talks next month.",
        "The foreign ministers agreed to set up a hotline to avoid incidents at sea.",
        "Both armies began pulling heavy weapons back from the contact line.",
        "India and Pakistan reopened the Kartarpur corridor after months of tension.",
        "Envoys from Seoul and Pyongyang met at the truce village for the first time in years.",
        "Serbia and Kosovo endorsed an EU plan to normalise relations.",
        "A Qatari-brokered deal returned dozens of children to their families in Ukraine.",
        "The guns have been quiet along the front for a week, observers reported.",
        "Officials said a draft accord on shipping in the Black Sea was nearly complete.",
        "Beijing and Taipei resumed direct flights and agreed to a fishing accord.",
        "The Kremlin said it welcomed the proposal and was ready to send a delegation.",
        "Negotiators narrowed their differences on the territorial question, diplomats said.",
    ],
    ("mixed", None): [
        "President Trump pushes for a Ukraine ceasefire while Putin stalls for advantage.",
        "Russia agreed to talks but launched its heaviest air attack the same night.",
        "The prisoner exchange went ahead even as fighting raged near Pokrovsk.",
        "Kyiv welcomed the US peace plan while Moscow threatened to fight on.",
        "Markets cheered the summit news, then slumped as missiles hit Kyiv.",
        "Sanctions relief was discussed in Riyadh while Congress drafted new penalties.",
        "Hours after agreeing to talks, Moscow sent another swarm of drones at Kyiv.",
        "The exchange of prisoners went ahead, but each side accused the other of shelling the handover site.",
        "Envoys drafted a truce text while the generals prepared a new push.",
        "Tehran signalled it was open to talks even as it launched missiles at Israel.",
        "Washington offered to ease some sanctions, but Brussels tightened its own.",
        "Grain ships sailed from Odesa under the deal as missiles struck the city's port.",
        "Putin praised the US envoy's visit but vowed to keep fighting until his goals are met.",
        "The truce in Kashmir frayed with cross-border firing even as diplomats met in Abu Dhabi.",
        "The summit ended with a prisoner deal and a warning of new strikes.",
        "Kyiv agreed to a partial energy truce but said it would keep hitting military targets.",
        "Even as mediators reported progress, a drone strike killed a family in Sumy.",
        "Beijing proposed talks with Taipei, then held live-fire drills around the island.",
    ],
    ("neutral", None): [
        "Ukraine's parliament passed the annual budget after a long debate.",
        "The Kremlin said Putin will give his annual press conference in December.",
        "Zelensky appointed a new ambassador to Canada.",
        "Russia's central bank published its monthly inflation report.",
        "A survey found most Ukrainians use mobile banking apps daily.",
        "Kyiv's metro added two new stations to its network.",
        "The Taiwanese government released its annual tourism figures.",
        "Pakistan's cricket board announced a new domestic league format.",
        "Ukraine's grain harvest is expected to be slightly larger than last year's.",
        "The Kremlin announced a reshuffle in the ministry of culture.",
        "Zelensky met business leaders in Kyiv to discuss tax reform.",
        "The Russian rouble was little changed against the dollar on Tuesday.",
        "Kyiv's city council approved a plan to renovate public parks.",
        "Moscow hosted an international book fair over the weekend.",
        "Polish and Ukrainian officials discussed railway timetables at a meeting in Lviv.",
        "The Israeli cabinet debated a new housing subsidy.",
        "Taiwan's election commission set the date for local polls.",
        "A Russian court postponed a hearing in a tax case against a businessman.",
        "Armenia's central bank raised its growth forecast for the year.",
        "Ukraine's education ministry published new exam rules.",
    ],
    ("off_topic", None): [
        "The supermarket price war deepened as discounters cut milk prices again.",
        "War and Peace, the new TV series, drew record audiences on Sunday.",
        "Arsenal launched a late offensive to win the derby 2-1.",
        "The striker's transfer deal collapsed over a medical.",
        "Streaming giants are locked in a talent war for hit showrunners.",
        "A truce in the console war? Two rivals agreed on a cross-play deal.",
        "The chef's olive oil cake won the baking contest.",
        "Tennis star rejects ceasefire in bitter feud with her former coach.",
        "Rates traders bet on a ceasefire in the central bank's inflation fight.",
        "The film 'Missile Strike' opened at the top of the box office.",
        "Local council agrees peace deal with residents over parking fees.",
        "Chipmakers launched a price war on budget laptops.",
        "The shipping company reported record profits thanks to strong container demand.",
        "A heatwave pushed electricity demand in Texas to an all-time high.",
        "The union called off its strike after the carmaker improved its pay offer.",
        "Investors cheered the merger of two regional banks.",
        "The director's new thriller about a hostage negotiation tops the charts.",
        "The chess champion launched an aggressive attack to win in 30 moves.",
        "Scientists warn that a new virus strain is spreading among poultry.",
        "The airline and its pilots agreed a deal to end months of talks over pay.",
        "Our cat declared war on the neighbour's dog again this morning.",
        "The band announced a reunion tour after a decade-long truce between its founders.",
        "Coffee prices surged after frost damaged crops in Brazil.",
        "The startup raised fresh funds to expand its drone delivery service.",
    ],
}

OFF_TOPIC_TEMPLATES = [
    "{team} launched a late offensive to beat {team2} in the {comp}.",
    "The coach of {team} warned of a tough battle against {team2} on Saturday.",
    "{co} and {co2} are locked in a price war over {product}.",
    "Shares of {co} rose after it agreed a deal to buy a rival {product} maker.",
    "The new film about {topic} topped the box office this weekend.",
    "Heavy rain is expected across {region} later this week, forecasters said.",
    "{co} unveiled a faster {product} at its annual developer conference.",
    "A truce between {co} and {co2} ended their long patent dispute over {product}.",
    "Fans stormed the pitch after {team} clinched the {comp} title.",
    "The city council approved new cycle lanes in {region}.",
    "Critics praised the album's bold take on {topic}.",
    "{co} warned of fresh job cuts as demand for {product} slowed.",
    "Scientists found a new species of frog in {region}.",
    "The museum opened an exhibition on {topic} and medieval armour.",
    "{team} and {team2} agreed to settle their dispute over ticket prices.",
]
OFF_FILL = {
    "team": ["Arsenal", "the Lakers", "Real Madrid", "the All Blacks", "Celtic", "the Yankees", "Bayern"],
    "team2": ["Chelsea", "the Celtics", "Barcelona", "England", "Rangers", "the Red Sox", "Dortmund"],
    "comp": ["Champions League", "final", "cup semi-final", "league", "World Cup qualifier"],
    "co": ["Acme Foods", "Nimbus Tech", "Orbital Motors", "Greenleaf Grocers", "Pixel Labs"],
    "co2": ["BrightMart", "Helix Systems", "Vector Auto", "FreshCo", "Lumen Devices"],
    "product": ["smartphones", "electric cars", "groceries", "streaming plans", "laptops", "coffee"],
    "topic": ["a space mission", "a jazz legend", "a chess prodigy", "a family farm", "a bank heist"],
    "region": ["the Midlands", "Queensland", "northern Spain", "the Great Lakes", "Patagonia"],
}


#: The conflict each hand-written sentence of :data:`HAND` names, where it is not Russia-Ukraine.
HAND_CONFLICT: dict[str, str] = {
    # hawkish threats
    "Iran warned that any strike on its nuclear sites would trigger a regional war.": "israel-iran",
    "Beijing said it would never renounce the use of force over Taiwan.": "china-taiwan",
    "North Korea threatened a 'merciless' response to the joint drills.": "korea",
    "Deadline passes with no deal, and officials warn of a tougher stance.": "unnamed",
    "Without a breakthrough, hawks say, the offensive must be stepped up.": "unnamed",
    "The defence minister said the army stands ready to strike if the border incidents continue.": "unnamed",
    "Pyongyang vowed to answer the drills with an 'overwhelming' show of force.": "korea",
    "Tehran threatened to close the Strait of Hormuz if new penalties are imposed.": "israel-iran",
    "Officials in Beijing said reunification by force remains on the table.": "china-taiwan",
    "Senior commanders are pushing for a spring offensive before any talks resume.": "unnamed",
    "Baku accused Yerevan of provocations and warned of a decisive response.": "caucasus",
    "A draft decree would extend the call-up to men aged up to 35.": "unnamed",
    "Islamabad warned that diverting the river's water would be treated as an act of war.": "india-pakistan",
    "The spokesman said there could be no ceasefire until all occupied land is returned.": "unnamed",
    "Belgrade put its troops on the highest level of readiness along the boundary line.": "balkans",
    "Hardline lawmakers tabled a motion to end all contacts with the mediators.": "unnamed",
    # hawkish acts
    "A missile hit a crowded railway station, killing at least fifty people.": "unnamed",
    "Israel struck air defences in Iran in a wave of overnight raids.": "israel-iran",
    "Azerbaijani forces launched an offensive in Nagorno-Karabakh.": "caucasus",
    "The RSF stormed El Fasher after an 18-month siege.": "sudan",
    "Israeli jets hit targets in Tehran for a second night.": "israel-iran",
    "The army said it had retaken three villages after a week of street fighting.": "unnamed",
    "Chinese warships and bombers encircled Taiwan in the largest drills in years.": "china-taiwan",
    "Indian missiles struck what New Delhi called terrorist camps across the border.": "india-pakistan",
    "The RSF shelled a displacement camp outside El Fasher, aid groups said.": "sudan",
    "North Korea test-fired an intercontinental ballistic missile into the sea.": "korea",
    "Azerbaijani troops moved into Karabakh, and thousands of Armenians fled.": "caucasus",
    "The talks ended abruptly when one delegation left the room.": "unnamed",
    "Sirens sounded across Israel as Iranian ballistic missiles rained down.": "israel-iran",
    # peace
    "Both sides swapped 390 prisoners each in the largest exchange of the war.": "unnamed",
    "Oil fell as traders bet a ceasefire would ease supply fears.": "unnamed",
    "India and Pakistan agreed to an immediate and full ceasefire.": "india-pakistan",
    "Armenia and Azerbaijan initialled a peace treaty at the White House.": "caucasus",
    "The two presidents shook hands and pledged to keep talking.": "unnamed",
    "Mediators said both sides had accepted the text of a ceasefire in principle.": "unnamed",
    "Turkey offered to host a new round of direct talks next month.": "unnamed",
    "The foreign ministers agreed to set up a hotline to avoid incidents at sea.": "unnamed",
    "Both armies began pulling heavy weapons back from the contact line.": "unnamed",
    "India and Pakistan reopened the Kartarpur corridor after months of tension.": "india-pakistan",
    "Envoys from Seoul and Pyongyang met at the truce village for the first time in years.": "korea",
    "Serbia and Kosovo endorsed an EU plan to normalise relations.": "balkans",
    "The guns have been quiet along the front for a week, observers reported.": "unnamed",
    "Beijing and Taipei resumed direct flights and agreed to a fishing accord.": "china-taiwan",
    "Negotiators narrowed their differences on the territorial question, diplomats said.": "unnamed",
    # mixed
    "Sanctions relief was discussed in Riyadh while Congress drafted new penalties.": "unnamed",
    "The exchange of prisoners went ahead, but each side accused the other of shelling the handover site.": "unnamed",
    "Envoys drafted a truce text while the generals prepared a new push.": "unnamed",
    "Tehran signalled it was open to talks even as it launched missiles at Israel.": "israel-iran",
    "Washington offered to ease some sanctions, but Brussels tightened its own.": "unnamed",
    "The truce in Kashmir frayed with cross-border firing even as diplomats met in Abu Dhabi.": "india-pakistan",
    "The summit ended with a prisoner deal and a warning of new strikes.": "unnamed",
    "Beijing proposed talks with Taipei, then held live-fire drills around the island.": "china-taiwan",
    # neutral
    "The Taiwanese government released its annual tourism figures.": "china-taiwan",
    "Pakistan's cricket board announced a new domestic league format.": "india-pakistan",
    "The Israeli cabinet debated a new housing subsidy.": "israel-iran",
    "Taiwan's election commission set the date for local polls.": "china-taiwan",
    "Armenia's central bank raised its growth forecast for the year.": "caucasus",
}

#: Templates added with the conflict files: deal endings, annexation, mobilisation, sanctions on
#: state companies and summits someone misses (their fills come from a second seeded stream, so
#: the records of :data:`TEMPLATES` are unchanged).
EXTRA_TEMPLATES: dict[tuple[str, str | None], list[str]] = {
    ("hawkish", "act"): [
        "{a} suspended its part in the shipping deal with {b} after an attack near {p}.",
        "{a} quit the grain export agreement brokered in {v}.",
        "{la} pulled out of the ceasefire deal and ordered fresh strikes near {p}.",
        "The delegation of {b} walked out of the talks in {v}, accusing {c} of bad faith.",
        "{c} said the truce with {b} had expired and would not be renewed.",
        "{la} signed decrees to annex the occupied areas around {p}.",
        "Call-up papers went out to tens of thousands of men across {a} under the new mobilisation.",
        "Washington sanctioned the state oil and gas companies of {a}.",
        "{c} admitted the ceasefire deal for {p} was dead after a week of violations.",
        "{a} tore up the humanitarian corridor deal for {p}.",
    ],
    ("hawkish", "threat"): [
        "{c} threatened to quit the shipping deal if its terms were ignored.",
        "Western capitals are preparing new sanctions on the energy firms of {a}.",
        "{la} warned that the truce around {p} could lapse within days.",
        "{c} is preparing a decree that would extend military service for conscripts.",
        "{a} said it might walk out of the talks in {v} unless {b} gave ground.",
    ],
    ("peace", None): [
        "{a} and {b} extended the shipping deal brokered in {v} for another four months.",
        "Talks between {a} and {b} resumed in {v} after a long pause.",
        "{a} and {b} agreed a ceasefire around {p}, to begin at dawn.",
        "{a} and {b} swapped prisoners in an exchange brokered in {v}.",
        "{la} agreed to attend the peace summit with {lb} in {v}.",
        # the same deals kept or restored, so the model learns the verb that ends them, not the noun
        "Aid convoys crossed the corridor near {p} again after {a} and {b} restored it.",
        "{a} rejoined the grain export agreement brokered in {v}.",
        "Calm returned to {p} as both sides kept to the truce for a third week.",
    ],
    ("neutral", None): [
        "{la} will skip the summit in {v}, his office said.",
        "{la} will not attend the summit in {v} because of a scheduling clash.",
        "{lb} missed the summit in {v} and sent a deputy instead.",
        "{la} postponed the summit planned for {v} until the autumn.",
        "The office of {lb} said the summit in {v} had been delayed to next month.",
    ],
}
#: Off-topic templates of the same kind: business deals that end, trade truces.
EXTRA_OFF_TOPIC_TEMPLATES = [
    "{co} suspended its supply deal with {co2} after a pricing dispute.",
    "{co} pulled out of merger talks with {co2} over the price of {product}.",
    "{team} walked out of contract talks with their star player.",
    "Washington and Beijing agreed a truce in their tariff fight over {product}.",
    "{co} and {co2} ended their truce on {product} with a new round of price cuts.",
]

RU = "russia-ukraine"
#: Hand-written sentences added with the conflict files, each with the conflict it names.
HAND_ADDED: dict[tuple[str, str | None], list[tuple[str, str]]] = {
    ("hawkish", "threat"): [
        ("Moscow threatened to quit the grain deal unless its own exports were eased.", RU),
        ("The EU is preparing fresh sanctions on Russian oil companies, diplomats said.", RU),
        ("Washington warned it would sanction Russian energy firms if the talks stall.", RU),
        ("Kyiv is debating whether to lower the draft age to 18.", RU),
        ("The Kremlin said it could suspend the deal if Western promises are not kept.", RU),
        ("Trump threatened sweeping sanctions on Rosneft and Lukoil if Putin keeps stalling.", RU),
        ("Russia may hold another wave of mobilisation in the spring, Ukrainian intelligence says.", RU),
        ("Moscow warned that the truce would lapse if Kyiv kept striking its refineries.", RU),
        ("Beijing threatened to scrap trade arrangements with Taipei after the president's speech.", "china-taiwan"),
        ("Iran threatened to pull out of the nuclear talks.", "israel-iran"),
    ],
    ("hawkish", "act"): [
        (
            "Moscow suspended its part in the Black Sea grain deal after drones hit ships in Sevastopol.",
            "russia-ukraine",
        ),
        (
            "Russia formally quit the grain export deal, ending a year of safe passage for cargo ships.",
            "russia-ukraine",
        ),
        (
            "The Kremlin pulled out of the shipping corridor agreement and warned vessels to stay away.",
            "russia-ukraine",
        ),
        ("Ukraine's delegation walked out of the talks in Istanbul after Moscow demanded more land.", RU),
        ("The Kremlin scrapped the energy truce a week after it began.", RU),
        ("Kyiv said the Easter truce had collapsed within hours as shelling resumed in Kherson.", RU),
        ("The grain corridor expired at midnight after Moscow declined to renew it.", RU),
        ("Putin signed decrees to annex four occupied regions of Ukraine.", RU),
        ("Russia staged sham referendums in Zaporizhzhia and Kherson ahead of annexation.", RU),
        ("Russian lawmakers voted to absorb the occupied provinces into the federation.", RU),
        ("Putin ordered a partial mobilisation of 300,000 reservists.", RU),
        ("Kyiv lowered the mobilisation age and began calling up younger men.", RU),
        ("Thousands of Russian men fled abroad after the call-up was announced.", RU),
        ("The US Treasury sanctioned Rosneft and Lukoil, Russia's two largest oil producers.", RU),
        ("Britain slapped sanctions on Gazprom Neft and Surgutneftegas.", RU),
        ("Brussels added Novatek's Arctic gas project to its blacklist.", RU),
        ("Washington imposed new penalties on refiners that buy Russian crude.", RU),
        ("The ceasefire in Donetsk was violated dozens of times on its first day.", RU),
        ("Moscow tore up the prisoner exchange arrangement and cancelled the planned swap.", RU),
        (
            "Talks on a maritime truce fell apart after Russia demanded its banks be reconnected first.",
            "russia-ukraine",
        ),
        ("Israel ended the Gaza ceasefire with a wave of airstrikes.", "israel-gaza"),
        ("Sudan's army walked away from the Jeddah talks.", "sudan"),
        ("The Houthis abandoned the truce and resumed attacks on Red Sea shipping.", "yemen"),
        ("Libya's rival governments suspended the UN-backed talks in Geneva.", "libya"),
        ("Taiwan reported dozens of Chinese warplanes crossing the median line.", "china-taiwan"),
    ],
    ("peace", None): [
        ("The Black Sea grain deal was extended for another 120 days.", RU),
        ("Russia and Ukraine resumed direct talks in Istanbul after a three-year pause.", RU),
        ("A ceasefire was agreed for the area around the Zaporizhzhia nuclear plant.", RU),
        ("Kyiv and Moscow completed another prisoner swap, bringing home 150 soldiers each.", RU),
        ("Moscow rejoined the grain corridor after guarantees from Turkey.", RU),
        (
            "Russian and US negotiators in Riyadh closed their talks with a joint statement on safe shipping.",
            "russia-ukraine",
        ),
        ("Putin said he would attend a peace summit if Kyiv accepted talks.", RU),
        ("Ukraine and Russia agreed to extend the energy ceasefire by thirty days.", RU),
        ("Israel and Hamas agreed a ceasefire and a hostage exchange in Gaza.", "israel-gaza"),
        ("Sudan's warring parties accepted a seven-day humanitarian truce.", "sudan"),
        ("Libya's rival camps signed a ceasefire in Geneva.", "libya"),
        ("Yemen's government and the Houthis agreed to extend their truce.", "yemen"),
        ("Armenia and Azerbaijan resumed talks on marking their border.", "caucasus"),
        ("Taipei welcomed Beijing's offer to reopen cross-strait talks.", "china-taiwan"),
    ],
    ("mixed", None): [
        ("Russia quit the grain deal but said it would return if its demands were met.", RU),
        ("Kyiv agreed to a prisoner swap even as Moscow scrapped the energy truce.", RU),
        ("The Gaza truce was extended by a day even as strikes hit Rafah.", "israel-gaza"),
    ],
    ("neutral", None): [
        ("Putin will not attend the summit in South Africa, the Kremlin said.", RU),
        ("Zelensky skipped the economic summit to stay in Kyiv.", RU),
        ("Lavrov stayed away from the G20 meeting and sent a deputy instead.", RU),
        ("The Kremlin postponed the planned summit in Budapest.", RU),
        ("The Ukrainian president will miss the meeting of Black Sea states.", RU),
        ("Gaza's health ministry published its monthly report on hospital supplies.", "israel-gaza"),
    ],
    ("off_topic", None): [
        ("The US and China agreed a 90-day truce in their tariff fight.", "none"),
        ("Washington and Beijing extended their trade truce for another three months.", "none"),
        ("The airline suspended its codeshare deal with a rival carrier.", "none"),
        ("The streaming service pulled out of the licensing deal with the studio.", "none"),
        ("The club walked out of contract talks with its star striker.", "none"),
        ("The city council voted to annex two nearby villages.", "none"),
        ("The chipmaker's merger talks collapsed over price.", "none"),
        ("The festival drafted in a new headliner after the singer missed the summit of the charts.", "none"),
    ],
}

#: Template slots that name a party or place of the fill's conflict (``{v}``, the venue, does not).
_NAMING_SLOTS = ("{a}", "{b}", "{p}", "{c}", "{la}", "{lb}")


def _tag(template: str, conflict: str) -> str:
    """The conflict a filled template names: its fill's, or ``unnamed`` when it fills only a venue."""
    return conflict if any(slot in template for slot in _NAMING_SLOTS) else "unnamed"


def _fill_conflict(template: str, row: tuple[str, ...]) -> str:
    a, b, p, c, la, lb, v = row
    text = template.format(a=a, b=b, p=p, c=c, la=la, lb=lb, v=v)
    return text[0].upper() + text[1:]


def build(seed: int = SEED) -> list[dict[str, str | None]]:
    """Return the labelled records, deterministic for a given ``seed``."""
    rng = np.random.default_rng(seed)
    rows = [(name, row) for name, rs in CONFLICTS.items() for row in rs]
    out: list[dict[str, str | None]] = []
    seen: set[str] = set()

    def add(text: str, label: str, kind: str | None, conflict: str, split: str) -> None:
        if text not in seen:
            seen.add(text)
            out.append({"text": text, "label": label, "kind": kind, "conflict": conflict, "split": split})

    def templated(templates: dict[tuple[str, str | None], list[str]], gen: np.random.Generator) -> None:
        for (label, kind), group in templates.items():
            for t_index, template in enumerate(group):
                split = "holdout" if t_index % HOLDOUT_EVERY == HOLDOUT_EVERY - 1 else "train"
                for i in gen.permutation(len(rows))[: PER_TEMPLATE[label]]:
                    name, row = rows[int(i)]
                    add(_fill_conflict(template, row), label, kind, _tag(template, name), split)

    def off_topic(templates: list[str], gen: np.random.Generator) -> None:
        for t_index, template in enumerate(templates):
            split = "holdout" if t_index % HOLDOUT_EVERY == HOLDOUT_EVERY - 1 else "train"
            for _ in range(PER_TEMPLATE["off_topic"]):
                fill = {k: v[int(gen.integers(len(v)))] for k, v in OFF_FILL.items()}
                text = template.format(**fill)
                add(text[0].upper() + text[1:], "off_topic", None, "none", split)

    templated(TEMPLATES, rng)
    off_topic(OFF_TOPIC_TEMPLATES, rng)
    for (label, kind), sentences in HAND.items():
        for s_index, sentence in enumerate(sentences):
            split = "holdout" if s_index % HOLDOUT_EVERY == HOLDOUT_EVERY - 1 else "train"
            tag = "none" if label == "off_topic" else HAND_CONFLICT.get(sentence, "russia-ukraine")
            add(sentence, label, kind, tag, split)
    extra = np.random.default_rng(seed + 1)
    templated(EXTRA_TEMPLATES, extra)
    off_topic(EXTRA_OFF_TOPIC_TEMPLATES, extra)
    for (label, kind), pairs in HAND_ADDED.items():
        for s_index, (sentence, tag) in enumerate(pairs):
            split = "holdout" if s_index % HOLDOUT_EVERY == HOLDOUT_EVERY - 1 else "train"
            add(sentence, label, kind, tag, split)
    return out


def to_jsonl(records: list[dict[str, str | None]]) -> str:
    """Serialise records as JSON Lines, one record a line, keys in a fixed order."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def main(argv: list[str] | None = None) -> None:
    """Write the corpus (command-line entry point)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    default = (
        Path(__file__).resolve().parents[1] / "src" / "georisk" / "scoring" / "resources" / "labelled_corpus.jsonl"
    )
    parser.add_argument("--out", type=Path, default=default)
    args = parser.parse_args(argv)
    args.out.write_text(to_jsonl(build()), encoding="utf-8", newline="\n")


if __name__ == "__main__":
    main()
