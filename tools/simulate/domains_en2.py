"""What customers of the English-speaking service shops write about (``--profiles``): tickets-en and
the English side of bank-de-en (placeholders as in ``domains_en``; ``{product}`` is an event or a
bank product). The bank's English customers are expats in German cities: branch names stay German.
"""

from __future__ import annotations

from tools.simulate.texts import Domain

TICKETS = Domain(
    lang="en", order="SD-@@####",
    complaints=(
        "{product} was [cancelled|postponed] and I [still haven't got my refund|got no email about it].",
        "My tickets for {product} [never arrived|don't show up in the app|won't load at the gate].",
        ("I paid {amount2} in [service fees|processing fees] on top of the ticket price, which [nobody "
        "mentioned|is outrageous]."),
        ("The seats for {product} were [behind a pillar|nothing like the seating chart|split up even though I "
        "booked them together]."),
        "The box office at {district} [sent me away|couldn't find my will call tickets|had a two-hour line].",
        "I tried to transfer my tickets for {product} and [the app crashed|they disappeared].",
        "The resale price for {product} was [blocked|capped] and I'm stuck with tickets I can't use.",
        "I was charged [twice|three times] for order {order}.",
        "Parking at {district} was [a disaster|chaos], we missed the [first act|opening set|first half].",
        "The name change on my tickets for {product} [was refused|cost me {amount2}].",
    ),
    questions=(
        "Can I transfer my tickets for {product} to a friend?", "When do tickets for {product} go on sale?",
        "Is there [parking|wheelchair access|a bag policy] at {district}?", "What time do doors open for {product}?",
        "Can I upgrade my seats for {product}?", "Will {product} be refunded if it's rained out?",
        "How do I add my tickets for {product} to my [wallet|phone]?", "Can I pick up order {order} at will call?",
        "Is there a presale code for {product}?", "Are kids under [two|five] free at {product}?",
    ),
    statements=("I bought tickets for {product} {when} (order {order}).", "We are a group of [four|six].",
                "I'm going to {product} at {district}.", "My confirmation number is {order}."),
    praise=(
        "{product} was [unforgettable|amazing|the best night of the year]!",
        "Getting into {district} was [quick and easy|super smooth] thanks to the mobile tickets.",
        "The staff at {district} [were lovely|helped us find our seats|sorted our wheelchair access perfectly].",
        "My refund for the postponed show came through [in two days|without any hassle].",
        "The seats for {product} were [fantastic|even better than expected].",
        "The ticket transfer took [seconds|no time at all].",
    ),
    issues=("my refund for {product}", "my ticket order for {product}", "order {order}", "the ticket transfer",
            "the seating for {product}", "the will call pickup at {district}", "the name change on my tickets"),
    goods=("the smooth entry at {district}", "the quick refund", "the great view from our seats", "the help at the box office",
           "the easy ticket transfer"),
    bads=("a refund that takes {weeks} weeks", "{amount2} in 'service fees'", "seats behind a pillar",
          "tickets that vanished from the app", "a two-hour line at will call"),
    leave=("my StageDoor account", "my account", "the presale alerts"),
    actions=(
        "We've refunded {amount} to your original payment method.", ("Your tickets for {product} have been "
        "reissued; please check your app."), "We've upgraded your seats for {product} at no extra cost.",
        "Your will call tickets are ready at {district} from two hours before doors.",
        "We've reversed the duplicate charge on order {order}.", "We've refunded the {amount2} service fee.",
    ),
    subjects={"negative": ("Refund for {product}", "Tickets missing", "Duplicate charge"),
              "neutral": ("Ticket transfer", "Question about {product}", "Accessibility"),
              "positive": ("What a night!", "Thanks for the great seats")},
    cue_pages=(("/help/refunds", "Refunds"), ("/my-tickets/{pid}/refund", "Request a refund"),
               ("/help/cancelled-events", "Cancelled & postponed events"), ("/account/close", "Close account"),
               ("/help/complaints", "Complaints"), ("/my-orders/{order}/cancel", "Cancel order")),
    cue_queries=("refund tickets", "event cancelled refund", "cancel my order", "{q} refund", "complaint",
                 "close account", "refund status"),
)

BANK_EN = Domain(
    lang="en", order="SB-########",
    complaints=(
        "My transfer of {amount2} [has been pending for {days} days|never reached the recipient|was sent twice].",
        "My card was [blocked|declined] [abroad|at the supermarket|at a petrol station] without any warning.",
        "You charged me {fee} for [an account I was told is free|a card I never asked for|paper statements].",
        "The online banking [logs me out every two minutes|won't accept my TAN|has been down since {when}].",
        "My appointment at the {district} branch was [cancelled without notice|a waste of time].",
        "I've been waiting {weeks} weeks for the documents for my {product}.",
        "The app [crashed during a transfer|shows the wrong balance|won't let me log in].",
        "Nobody at the {district} branch speaks English, and the letters are only in German.",
        "My new card [never arrived|arrived with the wrong name on it] and I can't pay for anything.",
        "The interest on my {product} is [not what you advertised|lower than promised].",
    ),
    questions=(
        "How long does an international transfer to [the UK|the US|Spain] take?",
        "Can I open a {product} [online|without a German ID]?", "How do I change my PIN?",
        "What are the fees for withdrawing cash abroad?", ("Can I book an appointment at the {district} branch "
        "in English?"), "How do I add my card to [Apple Pay|Google Pay]?",
        "Where can I find my annual tax statement in online banking?", "Can I raise my card limit?",
        "Do I need a Schufa check for the {product}?", "How do I set up a standing order?",
    ),
    statements=("I have a {product} with you.", "I moved to {city} {when}.", "My customer number is {cust}.",
                "I'm an expat and don't speak much German yet."),
    praise=(
        "The advisor at the {district} branch explained the {product} [so clearly|patiently, in English].",
        "My {product} was set up in [one day|minutes], fantastic.", "The app makes banking [so easy|a breeze].",
        "You refunded the wrong fee [straight away|without any fuss].",
        "My blocked card was sorted in [one call|ten minutes].",
    ),
    issues=("my transfer of {amount2}", "my card", "the fee on my account", "my {product}",
            "my appointment at the {district} branch", "my online banking access", "the new card I ordered"),
    goods=("the help at the {district} branch", "the quick card replacement", "the clear advice in English",
           "the fast fee refund", "the easy account opening"),
    bads=("{fee} for a 'free' account", "a card blocked on holiday", ("a transfer that's been pending for {days} "
          "days"), "an app that logs me out every two minutes", "letters I can't read"),
    leave=("my account", "my current account", "my credit card", "my {product}"),
    actions=(
        "We've refunded the fee of {fee} to your account.", ("Your new card is on its way and should arrive "
        "within five working days."), "We've traced your transfer and it will be credited by {deadline}.",
        "We've booked an English-speaking advisor for you at the {district} branch.",
        "Your card has been unblocked and can be used again right away.",
    ),
    subjects={"negative": ("Unauthorised fee", "Card blocked", "Transfer missing"),
              "neutral": ("Account question", "Appointment", "Card limit"),
              "positive": ("Thank you to the {district} branch", "Great advice")},
    cue_pages=(("/en/help/close-account", "Close your account"), ("/en/help/complaints", "Complaints"),
               ("/en/help/switch-bank", "Switching banks"), ("/en/help/fee-refund", "Fee refund request"),
               ("/en/help/cancel-card", "Cancel a card"), ("/en/personal/{cs}/{slug}/cancel", "Cancel contract")),
    cue_queries=("close account", "cancel credit card", "complaint", "fee refund", "switch bank", "konto kündigen",
                 "cancel {q}"),
    extras={"fee": ("€4.90", "€9.50", "€2.50", "€12", "€7.90")},
    orderw="transaction",
)

DOMAINS = {"tickets-en": {"en": TICKETS}, "bank-de-en": {"en": BANK_EN}}
