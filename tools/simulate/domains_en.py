"""What customers of the English retail shops write about (``--profiles``): electronics-en,
fashion-en, furniture-en, and a generic shop for profiles without a domain of their own.

Message placeholders: ``{product}`` ``{order}`` ``{store}`` ``{district}`` ``{city}`` ``{shop}``
``{amount}`` (the product's price) ``{amount2}`` ``{days}`` ``{weeks}`` ``{mins}`` ``{when}``
``{deadline}`` ``{ref}`` ``{very}`` ``{cat}``. Cue pages and queries are formatted with the session's
context (``{slug}`` ``{pid}`` ``{nr}`` ``{q}`` ``{cs}`` ... see ``profile.py``) and ``{order}``.
"""

from __future__ import annotations

from tools.simulate.texts import Domain

ELECTRONICS = Domain(
    lang="en", order="VL#######",
    complaints=(
        ("My {product} [arrived|showed up|was delivered] [with a cracked screen|with a dented corner|without the "
        "charger|in a crushed box|with a dead pixel right in the middle]."),
        ("The {product} [stopped charging|keeps rebooting|won't pair with anything|overheats|shuts itself off] "
        "after [{days} days|a week|two uses]."),
        "Order {order} was promised for {when} and [still hasn't shipped|is nowhere to be seen|shows no tracking].",
        ("I returned the {product} [{weeks} weeks|over a month] ago and [the refund still hasn't come through|I've "
        "heard nothing since]."),
        ("The installer [never showed up|turned up three hours late|left a mess behind|cancelled on the morning of "
        "the appointment]."),
        "[I was charged twice for|You billed me twice for] order {order}.",
        ("The [staff|guy at the counter|assistant] at {store} [was dismissive|ignored me for ages|couldn't answer a "
        "basic question|kept pushing an extended warranty]."),
        "The {product} dropped by {amount2} [a day|two days] after I bought it and you refuse to adjust the price.",
        ("[Your website said|The app showed] the {product} was in stock at {store}, [but|and] [they had none|I "
        "drove there for nothing]."),
        "The replacement {product} has [the same fault|an even worse problem|a rattle inside].",
        ("My warranty claim for the {product} was rejected [without explanation|for no reason|over a tiny "
        "scratch]."),
        ("I've been [bounced between|passed around] [departments|support teams] [for {days} days|all week] over "
        "my {product}."),
        "The {product} I got is [clearly used|a refurbished unit|the wrong colour], not what I ordered.",
    ),
    questions=(
        "Does the {product} come with [a charger|a case|a cable|a wall mount]?",
        "Can I still [change the delivery address for|add something to|cancel] order {order}?",
        "Is the {product} [in stock|available for pickup] at {store}?",
        "How long is the warranty on the {product}?",
        "Do you [offer|do] [installation|setup|wall mounting] for the {product}?",
        "What would the trade-in value of my old [phone|laptop|console] be?",
        "When will [the {product} be back in stock|order {order} ship]?",
        "Can I pay for the {product} in [instalments|monthly payments]?",
        "Is there a [student|bundle|member] discount on {cat}?",
        "Which [cable|adapter|charger] do I need for the {product}?",
        "How do I [register|activate the warranty on|update the firmware of] my {product}?",
        "What are the opening hours of {store} on [Sunday|public holidays|Saturday]?",
        "Does the price match apply to [online retailers|other stores] too?",
    ),
    statements=(
        "I ordered the {product} {when} (order {order}).", "I picked up order {order} at {store} {when}.",
        "I'm [thinking about|looking at|comparing prices for] the {product}.",
        "I bought a {product} [in March|last year|at {store}].", "My order number is {order}.",
        "I have a Voltline Plus membership.",
    ),
    praise=(
        "The {product} is [fantastic|brilliant|exactly what I wanted|even better than I expected].",
        "Order {order} arrived [a day early|the next morning|right on time] [and perfectly packed|].",
        "[The team|Everyone|The staff] at {store} [was|were] [super helpful|so patient|really knowledgeable].",
        "Setting up the {product} took [five minutes|no time at all] [thanks to your guide|].",
        "My refund for order {order} came through [in two days|faster than I expected].",
        "[The installer|Your technician] was [on time|friendly] and [tidy|explained everything].",
        "[Really|Very] impressed with how [easy|smooth] the return was.",
        "Got the {product} at a great price [in the sale|with the price match].",
        "The advice on {cat} at {store} was [honest|spot on], no upselling at all.",
    ),
    issues=("the delivery of order {order}", "my return of the {product}", "the refund for order {order}",
            "the repair of my {product}", "my warranty claim for the {product}", "the installation of the {product}",
            "my price-match request", "the trade-in credit on my account", "the pickup at {store}",
            "the replacement {product}", "the protection plan on my {product}", "my order {order}"),
    goods=("the quick delivery", "the help at {store}", "the advice on the {product}", "the fast refund",
           "the smooth installation", "the price match", "the patient support on the phone",
           "sorting out my return so quickly", "the same-day pickup at {store}", "the free setup"),
    bads=("a {product} that died after {days} days", "the [third|fourth] missed delivery slot",
          "{weeks} weeks of waiting for my refund", "{mins} minutes on hold", "a technician who never turned up",
          "a 'next day' delivery that took a week", "a used {product} sold as new"),
    leave=("my Voltline account", "my Voltline Plus membership", "my customer account", "the newsletter"),
    actions=(
        "We've [issued|processed] a refund of {amount} to your original payment method.",
        "A replacement {product} [is on its way|has been dispatched]; tracking follows by email.",
        "We've booked a new installation slot, and the technician will call 30 minutes before arriving.",
        "Your prepaid return label is attached to this email.",
        "We've applied the price match and refunded the difference of {amount2}.",
        "Order {order} is with the courier and should reach you [tomorrow|within two working days].",
        "Our repair centre has your {product} and expects to finish within {days} days.",
        "We've passed your feedback on to the manager at {store}.",
        "The {product} is reserved for you at {store} until {deadline}.",
    ),
    subjects={"negative": ("{product} arrived damaged", "Refund for order {order}", "Installer no-show",
                           "Charged twice"),
              "neutral": ("{product} warranty", "Pickup at {store}", "Trade-in question"),
              "positive": ("Great help at {store}", "Loving my new {product}")},
    cue_pages=(("/account/orders/{order}/return", "Start a return"), ("/help/returns", "Returns & exchanges"),
               ("/help/refunds", "Refund status"), ("/account/close", "Close your account"),
               ("/account/membership/cancel", "Cancel Voltline Plus"), ("/help/complaints", "Make a complaint"),
               ("/support/{slug}/warranty-claim", "Warranty claim"), ("/returns/label?order={order}", "Return label")),
    cue_queries=("return label", "refund status", "cancel order", "cancel voltline plus", "how to return {q}",
                 "{q} warranty claim", "complaint", "close my account", "refund not received"),
)

FASHION = Domain(
    lang="en", order="TV-######",
    complaints=(
        ("The {product} [came up two sizes small|is nothing like the photos|fell apart after one wash|arrived with a "
        "hole in the seam|had a stain on the front]."),
        ("I sent the {product} back [{weeks} weeks|nearly a month] ago and [still no refund|nobody has confirmed "
        "receipt]."),
        "Order {order} [has been stuck in transit|hasn't moved] [for {days} days|since {when}].",
        "The [colour|fabric|fit] of the {product} is [completely different from the website|dreadful].",
        "I was charged for [return postage|a delivery fee] I was told was free.",
        "The alterations on my {product} were [done wrong|not ready when promised|uneven].",
        "The assistant at {store} [was rude to me|rolled her eyes at my return|refused to help with sizing].",
        "Half of order {order} is missing and the [app|website] says it's complete.",
        "The zip on the {product} broke [the first time I wore it|within a week].",
        "My stylist appointment at {store} was [cancelled without notice|double-booked].",
    ),
    questions=(
        "Does the {product} run true to size?", "Can I exchange the {product} for a [bigger|smaller] size in store?",
        "Is the {product} [available|in stock] in [navy|black|size 12|a medium] at {store}?",
        "How long does a refund usually take [after you receive the parcel|to show on my card]?",
        "Can I book a stylist at {store} for {deadline}?", "Do you do alterations on {cat}?",
        "What's the return window for sale items?", "How should I wash the {product}?",
        "Can I change the delivery address on order {order}?", "Will the {product} come back in [my size|grey]?",
    ),
    statements=("I ordered the {product} {when} (order {order}).", "I'm usually a size 12 in your {cat}.",
                "I returned the {product} at {store} {when}.", "My order number is {order}.",
                "I bought the {product} as a gift."),
    praise=(
        "The {product} fits [perfectly|like a glove|beautifully] and the quality is [lovely|superb].",
        "The stylist at {store} was [brilliant|so much fun|incredibly patient].",
        "My exchange was [sorted in minutes|quick and painless].",
        "Order {order} arrived [beautifully wrapped|a day early].",
        "I've had so many compliments on the {product}.",
        "The alterations on my {product} were [spot on|perfect].",
        "The refund for the {product} was back on my card [in two days|within the week].",
    ),
    issues=("my return of the {product}", "the refund for order {order}", "the delivery of order {order}",
            "the exchange of the {product}", "the alteration of my {product}", "my stylist booking at {store}",
            "the missing part of order {order}", "the sizing of the {product}"),
    goods=("the styling advice at {store}", "the quick exchange", "the beautiful packaging", "the speedy refund",
           "the help with sizing", "the alterations service", "the gift wrapping"),
    bads=("a {product} that shrank after one wash", "{weeks} weeks of waiting for a refund",
          "a 'free' return that cost me {amount2}", "a stylist appointment nobody turned up to",
          "the same wrong size twice"),
    leave=("my account", "my Thread & Vine membership", "the newsletter", "my customer account"),
    actions=(
        "We've refunded {amount} to your original payment method.", "A free exchange in your size is on its way.",
        "We've booked you a new stylist appointment at {store}.", "We've refunded the return postage of {amount2}.",
        "Our alterations team at {store} will redo your {product} free of charge.",
        "Order {order} has been located and will be with you by {deadline}.",
    ),
    subjects={"negative": ("Refund still missing", "Wrong size again", "Order {order} incomplete"),
              "neutral": ("Sizing question", "Exchange", "Alterations"),
              "positive": ("Lovely stylist", "Perfect fit!")},
    cue_pages=(("/en-gb/account/returns/{order}", "Your return"), ("/en-gb/help/refunds", "Refunds"),
               ("/en-gb/help/complaints", "Complaints"), ("/en-gb/account/close", "Close account"),
               ("/en-gb/returns/label", "Print a returns label"), ("/en-gb/p/{slug}/{pid}/report-a-fault",
                                                                   "Report a faulty item")),
    cue_queries=("return label", "refund status", "how to return", "cancel order", "complaint",
                 "delete account", "refund not received", "{q} faulty"),
)

FURNITURE = Domain(
    lang="en", order="HG########",
    complaints=(
        "The {product} arrived [with a gouge in the top|scratched|with a broken leg|water-stained].",
        ("The delivery window for order {order} was [moved three times|missed twice], [I took a day off for "
        "nothing|nobody rang]."),
        "The [assembly instructions|fittings] for the {product} [are missing|don't match the parts].",
        "The {product} [sags already|wobbles|squeaks] after {weeks} weeks.",
        "I was told {weeks} weeks for the {product}; it's now been [four months|far longer].",
        "The delivery team [scuffed my walls|left the packaging everywhere|refused to carry it upstairs].",
        "The fabric on the {product} is [pilling already|a different shade from the swatch].",
        "The showroom at {store} promised [free delivery|a discount] that never appeared on my invoice.",
        "My deposit of {amount2} [hasn't been refunded|vanished] after I cancelled order {order}.",
    ),
    questions=(
        "Can I see the {product} in the showroom at {store}?", "What's the lead time on the {product}?",
        "Do you [assemble|install] the {product} on delivery?", "Can I get fabric swatches for the {product}?",
        "Does the {product} fit through a [narrow doorway|76 cm door]?", "Is afterpay available on {cat}?",
        "Can I change the delivery date for order {order}?", "How do I clean the {product}?",
        "Do you take the old [sofa|mattress|bed] away?", "What are the dimensions of the {product} [packed|boxed]?",
    ),
    statements=("I ordered the {product} {when} (order {order}).", "I'm furnishing a new apartment in {city}.",
                "I saw the {product} at {store} {when}.", "My order number is {order}."),
    praise=(
        "The {product} looks [stunning|incredible|even better than in the showroom].",
        "The delivery crew were [careful|lovely|quick] and set everything up.",
        "The design consultation at {store} was [so helpful|fantastic].",
        "The {product} was easy to assemble [in under an hour|with the video guide].",
        "Order {order} arrived [on the exact day promised|earlier than expected].",
        "The {product} is [so comfortable|beautifully made].",
    ),
    issues=("the delivery of order {order}", "the assembly of the {product}", "my deposit for order {order}",
            "the lead time on the {product}", "the damaged {product}", "my design consultation at {store}",
            "the swatch request for the {product}", "the removal of my old furniture"),
    goods=("the careful delivery crew", "the design advice at {store}", "the easy assembly",
           "the quick response", "the beautiful craftsmanship", "the free swatch service"),
    bads=("a {product} with a broken leg", "the third rescheduled delivery", "four months of waiting",
          "a day off work for a delivery that never came", "assembly instructions for a different product"),
    leave=("my account", "my order {order}", "the newsletter", "my customer account"),
    actions=(
        "We've arranged for a technician to repair the {product} at your home.",
        "Your deposit of {amount2} has been refunded.", "A replacement {product} will be delivered by {deadline}.",
        "The missing fittings are on their way by express post.",
        "We've locked in a delivery date for order {order}; you'll get an SMS the day before.",
        "We've added a 10% credit to your account for the trouble.",
    ),
    subjects={"negative": ("Damaged {product}", "Delivery rescheduled AGAIN", "Deposit refund"),
              "neutral": ("Lead time", "Delivery date", "Swatches"),
              "positive": ("Beautiful {product}", "Thank you to your delivery team")},
    cue_pages=(("/au/help/returns-and-refunds", "Returns and refunds"), ("/au/account/orders/{order}/cancel",
               "Cancel order"), ("/au/help/damaged-goods", "Report damaged goods"),
               ("/au/help/complaints", "Feedback and complaints"), ("/au/account/delete", "Delete account"),
               ("/au/products/{slug}/{pid}/report-an-issue", "Report an issue")),
    cue_queries=("cancel order", "refund deposit", "return {q}", "damaged delivery", "change of mind return",
                 "complaint", "delete account"),
)

GENERIC = Domain(
    lang="en", order="#########",
    complaints=("My order {order} [arrived damaged|is late|never arrived].", ("The {product} [is faulty|broke "
                "after {days} days]."), "I'm still waiting for my refund of {amount}.", ("The staff at {store} [were "
                "rude|couldn't help].")),
    questions=("Is the {product} in stock at {store}?", "When will order {order} arrive?", ("How do I return "
               "the {product}?"), "What are your opening hours at {store}?"),
    statements=("I ordered the {product} {when}.", "My order number is {order}."),
    praise=("The {product} is [great|excellent].", "Order {order} arrived [quickly|on time].", ("The staff at "
            "{store} were [lovely|helpful].")),
    issues=("my order {order}", "the refund for the {product}", "my return"),
    goods=("the quick delivery", "the friendly help at {store}"),
    bads=("a {product} that broke after {days} days", "{weeks} weeks of waiting"),
    leave=("my account",), actions=("We've refunded {amount}.", "A replacement is on its way."),
    subjects={"negative": ("Complaint",), "neutral": ("Question",), "positive": ("Thanks",)},
    cue_pages=(("/help/returns", "Returns"), ("/account/close", "Close account")),
    cue_queries=("return", "refund", "cancel order", "complaint"),
)

DOMAINS = {"electronics-en": {"en": ELECTRONICS}, "fashion-en": {"en": FASHION},
           "furniture-en": {"en": FURNITURE}, "_generic": {"en": GENERIC}}
