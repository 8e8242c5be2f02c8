"""The independent copy checker on the issue's named sentences (real catalog records)."""

from __future__ import annotations

import pytest

from bench.copy_claims import catalog_records
from writer.copy_check import check_copy
from writer.copy_review import MAX_COPY_CHARS, BadCopy, review_copy
from writer.records import ProductRecord
from writer.wording import check_wording

RECORDS = catalog_records()

REJECTED = [
    ("p1d06114fd4", "The Handy Premier is a great TV for your home."),
    ("p1d5b88849d", "Stand Not Included means no TV."),
    ("p1d5b88849d", 'The LG 83" OLED G3 comes with its stand included.'),
    ("p7258a52505", 'Meet the SANUS Preferred 42"-90" Tilting TV Mount, a TV.'),
    ("p6541632f52", "Two-Way Audio lets you hear your home security system from anywhere."),
    ("p6541632f52", "The floodlight camera comes in a weatherproof design."),
    ("p2b90639d0a", "It comes with long lasting all-day battery life."),
    ("p22bc323c04", "The 1x HDMI 1.4b port makes it the #1 laptop."),
    ("p22bc323c04", "It is perfect for gamers."),
    ("p0f9f046611", "Stream to your iPhone."),
    ("p47b426cf1d", "The doorbell needs no wiring."),
    ("p1413ed2a2e", "It has 12GB of RAM for heavy multitasking."),
    ("p1968705ef5", "The 30-core CPU flies through pro workflows."),
    ("p24ea649c9c", "It brings you the ultimate in musical instruments."),
    # general rules, on products the labelled rows do not cover
    ("p28abc2c854", "Labor is covered for five years."),  # the record's labor has 2 years
    ("p157e72e7d3", "It needs a monthly subscription."),  # "No Monthly Subscriptions"
    ("p0afc89be73", "Headphones are sold separately."),  # "Headphones Included"
    ("p1a62a211c1", "It is a cable modem."),  # a mesh system that works with one
    ("pf85a23a589", "It has 16GB of graphics memory."),
    ("paffa3c59a3", "This Roblox console comes with a card."),
    ("p157e72e7d3", "Get Up to 100 Ft. of Night Vision lets you watch from anywhere."),
    ("p7023962b3d", "It has a backlit keyboard."),  # the record's backlit is its display
    ("p95342165d6", "The keyboard has per-key RGB lighting."),  # "4 Zone RGB"
    ("pd90abf61ef", "It has a 2TB SSD."),  # "2TB Hard Drive + 1TB Solid State Drive"
    ("p6d946c6db6", "It writes at up to 160MB/s."),  # the read speed
    ("pc2eb1272c5", "It has a 1080p webcam."),  # "5MP IR Webcam"; 1080p is the screen
    ("p95153edf74", "It has the A17 chip."),
    ("p4b85e995e4", "It is an Xbox Series X."),
    ("p4b85e995e4", "It includes a year of Game Pass Ultimate."),
    ("p358f1fd09c", "It comes with a TV mount."),  # it pairs with mounted TVs
    ("p3094786e48", "It works without a phone."),  # "requires iPhone XS or later"
    ("pf58c01d1cb", "You need a monthly plan to see your videos."),  # "at No Monthly Fees"
    # one quantity in other units, a time of day, a number in words: still the record's
    ("p8f91dc0a70", "It holds TVs of up to 80 kilograms."),  # 130 lbs is 59 kg
    ("p0c31879c65", "It weighs 400 grams."),  # "Less Than 0.55lbs"
    ("p9df19b8205", "You get two full years of Game Pass Core."),  # "12-Month"
    ("p2b41441a37", "Installers come as early as 6 in the morning."),  # "7am-11pm"
    ("p3dd30b6a52", "Monitoring starts at 99 cents a day."),  # "66¢ per Day"
    ("p2b41441a37", "The in-wall kit works with brick walls."),  # "not available for brick walls"
    ("p884a79f1e5", "Earbuds for your kids."),  # an audience is no setting
    # an opposite modifier, a cable's other ends, all round when the record names directions
    ("pfdf9c8ea44", "It ships with a wireless karaoke mic."),  # "Wired Karaoke Mic Included"
    ("p1b4e24037e", "It comes with a USB-C to USB-A cable."),  # "USB-C to Lightning Cable"
    ("p0c31879c65", "Its sensors watch for obstacles in all directions."),  # "Tri-Directional"
    ("p9c8d7a7a75", "The Hisense L9G throws a 120-inch picture."),  # "L5G Series"
    ("p1b4e24037e", "It never needs charging."),  # "Rechargeable", "Between Charges"
    # what a plan covers or a rating is for is never mere setting
    ("pe05b5abfe9", "The plan also gives coverage for theft."),
    ("p884a79f1e5", "The earbuds are rated for diving."),
    # a number keeps its unit and what it counts, in words or in figures
    ("p1185ffee9a", "It weighs under two pounds."),  # 2.7 pounds
    ("pe59d183835", "It runs a 14th-generation Intel Core i7."),  # "13th Gen"
    ("pec59d8e450", "The pack has three motion detectors."),  # a 2-pack
    ("p45377be40c", "It keeps five hours of free video history."),  # "3 Hours of Free Video"
    # a total is not each one's; bought separately is not included
    ("pdd0b309789", "Each router covers up to 9,600 square feet."),  # three routers together
    ("p89b2e40822", "Each LED gives 2600 lumens."),  # "Two … LEDs. Combined 2600 Lumens"
    ("p0afc89be73", "Headphones must be bought separately."),  # "Headphones Included"
    # a restriction the record does not make; "there is no" what it requires; a version
    ("p1185ffee9a", "It works only with Apple displays."),
    ("p47b426cf1d", "There is no wiring to worry about."),  # "Requires Existing … Wiring"
    ("p7023962b3d", "It has Bluetooth 5.3."),  # "Bluetooth 4.1"
    ("p619420156a", "It has 512GB of RAM."),  # the head of "512GB PCIe NVMe M.2 SSD"
    # "top" ranks, however it is written
    ("pe59d183835", "It is the top desktop computer."),
    ("p1185ffee9a", "It is a top-rated laptop."),
    ("p1185ffee9a", "A top-of-the-line MacBook Air."),
    ("p9426c8c080", "It is made for professionals."),  # "Pro Installation" is no audience
    ("paffa3c59a3", "The card costs $79.99."),
    ("p2b41441a37", "The in-wall kit is in the box."),  # "kit sold separately"
    ("p1d5b88849d", "A stand is part of the package."),  # "Stand Not Included"
    ("p884a79f1e5", "They play for 24 hours on a single charge."),  # 24 with the case
    ("p499d7aead0", "The 60-core GPU is up to 7 times faster than the 27-inch iMac."),
    ("p8c31cda6f3", "It is a battery pack."),  # "Stick Up Cam Battery": cameras
    ("pc5b514f6ac", "A MicroSD card is included."),  # "MicroSD Card(Sold Separately)"
    ("p1185ffee9a", "It is ideal for gamers."),
    ("p1185ffee9a", "It serves as a TV."),  # a role is still judged as a word
    # what need not be bought is included; what must be bought is not
    ("p1d5b88849d", "You do not need to buy a stand."),  # "Stand Not Included"
    ("p0afc89be73", "You will have to buy headphones separately."),  # "Headphones Included"
]
ACCEPTED = [
    ("p1d06114fd4", "Handy Premier is a TV mounting service."),
    ("p1d5b88849d", "The stand is sold separately."),
    ("p1413ed2a2e", "The GeForce RTX 4070 Ti has 12GB of graphics memory."),
    ("p1185ffee9a", "At 2.7 pounds, the MacBook Air goes anywhere."),
    ("p47b426cf1d", "The Video Doorbell Pro 2 needs existing doorbell wiring to install."),
    ("pe0bdf54411", "It is waterproof."),
    # benign paraphrases: a word the record backs in other words
    ("p9e9fae52bf", "A compact case and 64GB microSD card are included."),
    ("pa09fcbc507", "Motion Rate 120 keeps fast action smooth."),
    ("p564730eeeb", "The all-weather design plays outdoors."),
    ("p24ea649c9c", "Its high-gloss ebony finish looks at home in any room."),
    ("peef6f6f73f", "The front camera keeps you centred with Center Stage."),
    # a verb or an adverb that frames a fact; a maker's name, a part, a compound's head
    ("p28abc2c854", "Free apps let you control it over Bluetooth from your phone."),
    ("p0afc89be73", "Headphones are included so you can practice quietly."),
    ("pf85a23a589", "The 24-core Core i9 processor tears through games."),
    ("pf85a23a589", "The GeForce RTX 4070 has 8GB of video memory."),
    ("p6aed39cfed", "The 350-nit display shows 2560 x 1600 pixels."),
    ("p1a62a211c1", "It covers up to 7,500 square feet."),
    ("p157e72e7d3", "There are no monthly subscriptions or fees."),
    ("p70b06c7941", "Pair it with your iPhone or Android phone."),
    ("p6926bf2e12", "You get an alert when motion is detected."),  # "Motion Detection"
    ("p3df8fec3d6", "G-SYNC compatibility reduces tearing."),  # "NVIDIA G-SYNC Compatible"
    ("p3df8fec3d6", "A DisplayPort cable comes in the box."),
    ("p7023962b3d", "It connects over Wi-Fi and Bluetooth 4.1."),  # "802.11 Wireless-AC"
    ("p1988ef265c", "A selfie stick, an extra battery and a memory card are in the box."),
    ("p8b603cdfba", "Three routers cover up to 7,000 square feet."),  # "Three WiFi 6 Routers"
    ("pa2bc8b8a1e", "Each bulb gives 800 lumens, like a 60-watt bulb."),
    ("p5ccf9d5847", "Its shock-resistant construction survives bumps."),
    ("pd1a0c5c598", "A CPU fan keeps the Ryzen 7 cool."),
    ("pc2eb1272c5", "It folds into a tablet."),  # a 2-in-1
    ("pb76049a4b3", "4K passthrough sends your video straight to the TV."),  # a soundbar
    # one quantity in other units, a time of day, a number in words
    ("p8f91dc0a70", "It takes TVs weighing up to 59 kg."),  # 130 lbs
    ("p27ad79ae8b", "The camera is waterproof down to 10 m."),  # "up to 33 feet"
    ("p9df19b8205", "The membership runs for a whole year."),  # "12-Month"
    ("p2b41441a37", "Book a time between 7 in the morning and 11 at night."),  # "7am-11pm"
    ("p3dd30b6a52", "Monitoring is 66 cents per day."),  # "66¢ per Day"
    ("p0c31879c65", "It senses obstacles in three directions."),  # "Tri-Directional"
    ("p9e2367df1e", "The GeForce RTX 4060 Ti carries 8GB of memory."),  # "RTX 4060Ti, 8GB"
    ("p88ca91a161", "Duracell is the number one trusted battery brand."),  # "#1 Trusted"
    # a verb made from the record's, a word of a record compound, what wireless means
    ("p4762176ab9", "Recharge it from a car outlet."),  # "Charge"
    ("pc751fab23d", "It works with smartphones."),  # "Smart Phone Compatible"
    ("p0ad138ce20", "The subwoofer needs no cable to the soundbar."),  # "Wireless Subwoofer"
    ("pb8e566b0cc", "The bundle has a doorbell and an indoor cam."),  # "Doorbell … and … Cam"
    ("pfdf9c8ea44", "A wired karaoke mic is included."),
    ("p1b4e24037e", "A USB-C to Lightning cable is in the box."),
    ("p2b41441a37", "Mounting the two front speakers is free."),  # "at no extra cost"
    ("p9c8d7a7a75", "The L5G has a 3-year manufacturer warranty."),  # "3 Year Mfr Warranty"
    # a number written out, a bound the record's figure keeps, a pack counting its items
    ("p1185ffee9a", "At under three pounds, the MacBook Air goes anywhere."),  # 2.7 pounds
    ("p1185ffee9a", "It has eighteen hours of battery life."),
    ("pe59d183835", "It runs a 13th-generation Intel Core i7."),  # "13th Gen"
    ("pec59d8e450", "The pack has two motion detectors."),  # a 2-pack
    ("p45377be40c", "Each one keeps three hours of free video history."),  # "one" as a pronoun
    ("p1185ffee9a", "A 13.6-inch display that refreshes smoothly."),  # inches are no refresh rate
    ("pdd0b309789", "Three routers cover up to 9,600 square feet together."),
    # evaluative words, comparatives of plain ones, closed-class words, verbs of framing
    ("p1185ffee9a", "The stunning 13.6-inch Liquid Retina display looks even sharper."),
    ("p1185ffee9a", "It can handle almost anything with its Apple M2 chip."),
    ("p1185ffee9a", "Pick the MacBook Air, or take it anywhere at 2.7 pounds."),
    # what a kind of product does by definition; a part typed, not the product
    ("p45377be40c", "Each camera records HDR video."),
    ("p1185ffee9a", "Storage is a 256GB SSD."),
    # a synonym backs both ways; units of one attribute; a multiplier
    ("p0afc89be73", "A headset is included."),  # "Headphones Included"
    ("p1185ffee9a", "It has eight CPU cores and 8-core graphics."),
    ("p619420156a", "It stores files on a 512GB NVMe SSD and runs on 12GB of RAM."),
    # the setting a backed fact is for
    ("p2b90639d0a", "Its 250-nit display works well for office work."),
    # what need not be bought is included; what must be bought is not; "one" as a pronoun
    ("p0afc89be73", "No need to buy headphones: a pair is included."),
    ("p0afc89be73", "You do not have to buy headphones, since one comes in the box."),
    ("p1d5b88849d", "You will need to buy the stand separately."),
    # a synonym or clipped form of the record's word, the bound of a figure, the price
    ("p0c0653feaa", "You get a second controller in Carbon Black."),  # "Extra … Controller"
    ("p9426c8c080", "Professional installation is included."),  # "Pro Installation Included"
    ("p567be54312", "It needs an Android 10 phone or newer with at least 2GB of RAM."),
    ("paffa3c59a3", "The card costs $89.99."),
    # an acronym spelled out; "which is sold separately" of the noun before it
    ("pf6ad3a564e", "It has hybrid active noise cancellation."),  # "Hybrid ANC"
    ("p1d5b88849d", "You will want a stand, which is sold separately."),  # "Stand Not Included"
    ("p0afc89be73", "Headphones are part of the package."),  # "Headphones Included"
    # what a unit measures, a run time per charge, a multiplier in words
    ("p884a79f1e5", "They play for up to 9 hours on a single charge."),
    ("p499d7aead0", "The 60-core GPU is up to 6.1 times faster than the 27-inch iMac."),
    # "Battery" beside a device in a title is how the device is powered
    ("pbdb4f6a0d3", "It is a security camera kit."),  # "Security Battery Camera Kit"
    # a verb by its "-able" adjective, an agent by its noun, a rank alike, "come standard"
    ("pa2bc8b8a1e", "You can dim them from the app."),  # "Dimmable Via App"
    ("p0afc89be73", "Drummers get a built-in metronome."),  # "V-Drum Kit"
    ("p03a037e2a6", "It is ideal for 4K and 8K HD streaming."),  # "Perfect for 4K/8K HD …"
    ("p2523a81052", "A NFC Magic Remote comes standard."),
    ("pc5b514f6ac", "MicroSD cards are sold separately."),  # "MicroSD Card(Sold Separately)"
    # a second role is not what the product is
    ("p27ea5a4bd2", "Its powerbank doubles as a charger."),  # a speaker "with Powerbank"
]

# round 6: a quality denied that the record states; a number in words read as one number;
# the shop's rating, review count and price quoted right and wrong
ROUND6_REJECTED = [
    ("p0e39cb0177", "The remote isn't backlit."),  # "Premium Backlit Remote"
    ("p4c670451f8", "Two hundred fifty-five gigabytes of SSD storage."),  # 256GB
    ("p8cbb24924a", "A one-hundred-ten-decibel siren."),  # 105dB
    ("pd8b965bb2e", "Shoppers give it 4.9 stars from 338 reviews."),  # rated 4.7
    ("pd8b965bb2e", "Over 5,000 reviewers rate it 4.7 stars."),  # 338 reviews
    ("pd8b965bb2e", "It runs on the M4 chip."),  # a rating of 4.7 backs no chip
]
ROUND6_ACCEPTED = [
    ("p4c670451f8", "Two hundred fifty-six gigabytes of SSD storage."),
    ("p8cbb24924a", "A one-hundred-five-decibel siren."),
    ("pd8b965bb2e", "Shoppers give it 4.7 stars from 338 reviews."),
    ("p235fc16b77", "More than 4,300 shoppers rate it 4.4 stars."),  # 4,332 reviews
    ("pa355081471", "Connects to Wi-Fi 6E networks."),
]

# round 8: a stated quality denied in more ways; everyday words for what the record states
ROUND8_REJECTED = [
    ("p66a56d3f18", "It doesn't work with NVIDIA G-SYNC."),  # "NVIDIA G-SYNC Compatible"
    ("pca46a36dca", "Dolby Atmos isn't supported on this model."),
    ("pf4abc53fb4", "This model skips the touchscreen."),
    ("p50b96101ed", "Includes a wireless keyboard and mouse."),  # Bluetooth backs no "wireless"
    ("pf2b8e73d2b", "Customers' favorite security system."),
]
# an attacker's read of round 8: made-up claims its additions let through, now rejected
ROUND8_ATTACKS = [
    ("p7971b06582", "Over 140 shoppers give it a 5-star average."),  # rated 4.1
    ("p1185ffee9a", "It's discounted to $1,049.99 right now."),  # no saving
    ("pd363f8d714", "It's marked down right now."),
    ("pe6b7650e70", "Now just $200 with the discount."),  # $200 is the saving, not the price
    ("p1cf24a1c21", "The Full HD screen supports HDR, and 2x Dolby Atmos speakers fill the room."),
    ("p63fc0d304c", "Instead of integrated graphics, it has AMD Radeon graphics."),
    ("pa10a1aa94d", "Stay online anywhere, even away from Wi-Fi."),  # a Wi-Fi-only tablet
    ("p8cbb24924a", "Wired rather than wireless, it records through a Wi-Fi outage."),
    ("p95342165d6", "It comes with accessories."),
    ("pe6b7650e70", "Gaming peripherals are included."),
    ("p9e9fae52bf", "The charger supports fast charging."),
    ("p5fe5a424c9", "Front and back USB ports keep peripherals within reach."),
    ("p56055e3224", "Its IR sensor picks out faces even in the dark."),
    ("p31278f851c", "Stream music from your phone's apps."),
    ("p63fc0d304c", "Its Wi-Fi 7 keeps you connected."),  # Wi-Fi 5; the 7 is of "Ryzen 7"
]
ROUND8_ACCEPTED = [
    ("pb415a56307", "Red and blue flashing lights plus a spotlight deter intruders."),
    ("p0136b6e172", "A three-year warranty is part of the deal."),
    ("pea969ba3ea", "Now $1,299.99 after a $400 discount."),
    ("p3de40f7fab", "240mm liquid cooling keeps temperatures in check."),
    ("p9ad7ef2a30", "Dolby Vision HDR and Dolby Atmos sound."),
    ("pea969ba3ea", "Save $400 today."),
]


# a made-up figure that happens to equal the shop's rating, review count or price, or gear
# Bluetooth could pair with: never backed by them (an attacker's read of round 7)
LAPTOP = ProductRecord(
    id="laptop",
    title="HP Laptop 15.6 inch 144Hz Display",
    category="Laptops",
    brand="HP",
    price=649.99,
    bullets=["144Hz Display", "Bluetooth 5.0", "8GB RAM"],
    rating=4.6,
    review_count=128,
    discount_amount=100.0,
)


@pytest.mark.parametrize(
    ("sentence", "supported"),
    [
        ("It comes with a Bluetooth mouse.", False),
        ("A second display is included.", False),
        ("Save now on this laptop with 128GB of RAM.", False),
        ("Shoppers love its 4.6GHz processor.", False),
        ("Rated 4.6 stars, it boots in 4.6 seconds.", False),
        ("Buyers get a 649.99-inch display.", False),
        ("Rated 4.8 stars.", False),
        ("Rated 4.6 out of 5 by 128 customers.", True),
        ("Save $100 today.", True),
        ("Priced at $649.99.", True),
    ],
)
def test_the_shops_figures_back_only_what_they_measure(sentence: str, supported: bool) -> None:
    assert check_copy(sentence, LAPTOP).supported is supported


# round 9, from fresh9's misses: a ranking of the product itself needs the record's ranking
# of it ("Ultimate UHD Dimming" ranks a feature); a form within a type needs its own word
ROUND9_REJECTED = [
    ("paeb165d18a", "The ultimate 65-inch TV."),
    ("paeb165d18a", "The best TV in its class."),
    ("pd6337759d2", "These earbuds cancel noise."),  # headphones, in "Headphones & Earbuds"
    ("p63fc0d304c", "This 2-in-1 laptop has a 15.6-inch touchscreen."),  # a clamshell
    ("pe5265469f8", "This PTZ camera covers your whole yard."),  # digital zoom only
    ("pc5b514f6ac", "It delivers fluid video day and night."),  # motion detection
    ("pe1dd3166d4", "It is the ultimate QLED TV."),
    ("p4ecfd98a37", "It is the ultimate action camera."),  # "Ultimate Mounting Flexibility"
    ("p8a189267e1", "It is the latest Apple Watch."),
    ("p371e13cdca", "A gaming monitor is included."),  # a desktop: keyboard and mouse only
    ("p6a08fac142", "A wall mount comes in the box."),  # a $79 wall mount voucher
    # "Includes $60 Apple Gift Card or $60 SiriusXM Gift Card": one of them
    ("p6a08fac142", "Both a $60 Apple gift card and a $60 SiriusXM gift card come included."),
    ("p6a08fac142", "It includes a $60 Apple gift card plus a $60 SiriusXM gift card."),
]
ROUND9_ACCEPTED = [
    ("paeb165d18a", "It features Samsung's Ultimate UHD Dimming."),
    ("p07a9744c72", "A 2-in-1 touchscreen laptop."),
    ("p02779808ea", "Priced from $389.99 up to $419.99 depending on the configuration."),
    ("pf8928dd72c", "Shoppers rate it 4.7 stars over 368 reviews."),
    ("p21539858dd", "These earbuds offer active noise cancellation."),  # AirPods
    ("p02779808ea", "This smartwatch has GPS."),  # Apple Watch
    ("p18d80544c7", "It is the perfect keyboard for spreadsheets."),  # "Ideal for …"
    ("p6a08fac142", "It includes either a $60 Apple gift card or a $60 SiriusXM gift card."),
    ("pb6d3e9596e", "Built for gamers, as the Nitro gaming laptop name says."),
    ("p49f029229d", "A 120Hz refresh rate keeps motion fluid."),
]


# round 10, from fresh11's misses: what shoppers think is the shop's rating and review
# count to say; "in one pack" is no count; an accessory in the box needs the record's word
ROUND10_REJECTED = [
    ("pf2b8e73d2b", "Shoppers love this NVR."),  # rated 2.0
    ("pf2b8e73d2b", "A customer favorite for home security."),
    ("pc63f35cf0d", "No reviews yet for this Mac Studio."),  # 15 reviews
    ("p5e981298e4", "Almost 9,000 reviewers give it 4.8 stars."),  # 4,795
    ("p73e9c41124", "The duet bench costs extra."),  # "Includes: Matching Duet Bench"
    ("pb163d33fd3", "An HDMI cable comes in the box."),  # an HDMI port, no cable
    ("pb812a591e0", "A flat 49-inch screen."),  # "Curved Gaming Monitor"
    ("p7a7dbd210e", "Its legs are fixed in place."),  # "Detachable Legs"
    ("p93c2cd89ad", "It pairs with Android phones only."),  # "Android and iOS Compatible"
    ("p157e72e7d3", "Recordings need a paid cloud plan."),  # "No Monthly Subscriptions, Fees"
]
ROUND10_ACCEPTED = [
    ("p5e981298e4", "Shoppers love it: 4.8 stars from nearly 4,800 reviews."),
    ("pc63f35cf0d", "A perfect 5.0 average across 15 reviews."),
    ("p88ca91a161", "Nobody has reviewed these batteries yet."),  # no reviews
    ("p88ca91a161", "There are no customer reviews for this pack yet."),
    ("p88ca91a161", "Forty AAA batteries in one pack."),
    ("pd6337759d2", "Your favorite songs sound great."),  # the shopper's favorite, no praise
    ("p73e9c41124", "A matching bench is included."),
    ("p0afc89be73", "Headphones are included, so you can practise quietly."),
    ("p93c2cd89ad", "It works with Android and iOS phones."),
    ("p4c0e402465", "You won't pay a recurring monthly fee."),  # "No Recurring Monthly ... Fees"
    ("p9cc1002fac", "Access every recording without a subscription."),  # "Without Subscription"
]


# round 11, from fresh12's misses: approximate figures, spelled-out resolutions and cores,
# half a unit, "at no charge" of a record's free, "anyone" as a pronoun
ROUND11_ACCEPTED = [
    ("pbb58475679", "Around 1,600 shoppers rate it 4.5 stars."),
    ("p94d4ac4bc3", "The screen shows 1920 by 1080 pixels."),
    ("p205f3ee756", "Ten GPU cores and half a terabyte of SSD storage."),
    ("pc6148bda7a", "It is installed at no charge."),  # "Free Installation"
    ("pc24d640000", "For anyone who wants to stay active."),
]
ROUND11_REJECTED = [
    ("pbb58475679", "Around 3,000 shoppers rate it 4.5 stars."),
    ("p205f3ee756", "Twelve GPU cores."),
    ("p205f3ee756", "Half a terabyte of RAM."),
    ("p94d4ac4bc3", "It is installed at no charge."),  # nothing free in the record
    ("pf2b8e73d2b", "Everyone loves this NVR."),  # rated 2.0
]


# round 12, from fresh13's misses
ROUND12_ACCEPTED = [
    ("pce9b6d23c5", "Keep the music going for as long as 22 hours."),
    ("p4657e0b9fa", "It tips the scales at just 2.58 lb."),
    ("p6f1ee081b3", "Rated IP67 against water and dust."),
    ("p8b7bc19382", "A perfect 5.0 from four reviews."),
    ("p22bc323c04", "$100 off the regular price today."),
    ("pd3cf2d3c83", "Now $300 below its usual price."),
    ("p9c8d7a7a75", "The screen is included, so there's no need to buy one separately."),
    ("p8e4a827687", "The laptop packs an RTX 4070 with a 144Hz panel, and a 1TB SSD is included."),
]
ROUND12_REJECTED = [
    ("pce9b6d23c5", "Keep the music going for as long as 40 hours."),
    ("p22bc323c04", "$200 off the regular price today."),
    ("p0dd69b991c", "The pen has to be purchased separately."),  # "Includes ... Slim Pen 2"
    ("p235fc16b77", "LG packs a wall mount with this set."),  # no mount in the record
    # from an attacker's review of round 11 and 12
    ("p45377be40c", "The cameras cost nothing."),  # "3 Hours of Free Video History"
    ("p28abc2c854", "The piano costs nothing."),  # "Free iOS/Android Apps"
    ("p8bc80edcbf", "Shoppers rate it about 5 stars."),  # 4.6
    ("p8bc80edcbf", "It is rated around 5 out of 5."),
    ("pe7e170e700", "Loved by everyone who owns one."),  # 3.4
]


# round 13, from fresh14's misses (each a new sentence, not the labelled one)
ROUND13_ACCEPTED = [
    ("p1a349a5ac3", "The warranty runs three full years."),  # "3 Year Warranty"
    ("pf86f45c6c1", "Quantum Dot covers 100 percent of color volume."),  # "100% Color Volume"
    ("pf6ad3a564e", "Yours for less than fifty dollars."),  # $49.97
    ("pf6ad3a564e", "Four microphones handle calls."),  # "4-Mic Hybrid ANC"
    ("p8a189267e1", "Knock $20 off today."),  # a $20 saving
    ("p5b630507d7", "Touch ID unlocks it."),
    ("p66d0afc32f", "A desktop with the M2 chip."),  # a Mac mini: its title ends on its SSD
    ("p8f91dc0a70", "A full-motion TV mount."),
]
ROUND13_REJECTED = [
    ("p8f91dc0a70", "A 65-inch TV."),  # a TV mount
    ("pdff7876499", "A whole-home security system."),  # entry sensors that need one
    ("p144737d3c2", "It has Radeon graphics."),  # "Intel UHD Graphics 770"
    ("p144737d3c2", "It runs on DDR5 memory."),  # the record names no DDR5
    ("p884a79f1e5", "Drop the case on a charging pad to top it up."),  # no wireless charging
    ("p884a79f1e5", "The charging case supports Qi."),
    ("pca8fb8ac2e", "eero Plus stays free forever."),  # "Free 12 Months"
    ("p21d374b827", "A lightweight TV."),  # no weight in the record; "Backlight" is no light
    ("p7f7da0570f", "It has speakers built in."),  # a monitor with none
]
# from an attacker's review of round 13
ROUND13_ATTACKS_ACCEPTED = [
    ("pceef3c93a3", "A console."),  # a PS5 bundle is the console too
    ("pd167462b23", "A laptop computer."),
    ("pf2b8e73d2b", "A home security system."),  # "Wired NVR Security System"
    ("p9392eae463", "A soundbar."),  # "Sound Bar"
    ("pc6148bda7a", "A smart laser TV."),  # "Smart Laser TV Projector"
    ("p49de9b4b0d", "It has built-in speakers."),  # a soundbar
    ("p908667a8fd", "Includes two microphones."),  # "2 Wireless Microphones Included"
    ("p21539858dd", "The MagSafe case charges wirelessly."),
    ("p9134d61f15", "No monthly fees to pay."),
]
ROUND13_ATTACKS_REJECTED = [
    ("p70618ba67f", "Unlock remotely."),  # AA batteries
    ("p02779808ea", "Unlock your iPhone."),  # nothing of unlocking in the record
    ("pe0bdf54411", "Tracks your heart rate."),  # a speaker
    ("p3e7ef99213", "Strong bass."),  # door sensors; "Base Station" is no bass
    ("p70618ba67f", "40 batteries with built-in speakers."),
    ("pca8fb8ac2e", "A home security system."),  # mesh Wi-Fi with a security subscription
    ("pca8fb8ac2e", "eero Plus is free and never expires."),  # "Free 12 Months"
]

# round 14, from fresh15's misses (each a new sentence, not the labelled one)
ROUND14_ACCEPTED = [
    ("p044a9af6f8", "Ten people have reviewed it."),  # 10 reviews
    ("p6e3af7b035", "It has not been reviewed yet."),  # none
    ("p92643c29b8", "$150 is taken off the price."),  # a $150 saving
    ("pdce38e037b", "The IdeaPad 5's webcam has a privacy shutter."),  # a possessive, no feet
    ("p144737d3c2", "Windows 11 Pro comes preinstalled."),  # "Windows 11 Professional"
    ("p6926bf2e12", "No doorbell wiring is required."),  # a wire-free doorbell
    ("p358f1fd09c", "It goes with wall-mounted TVs."),  # "Pairs Perfectly with Wall Mounted TVs"
    ("p051dd7331e", "It refreshes from 48 to 120Hz."),  # "48-120Hz Variable Refresh Rate"
    ("pca21cfcef7", "Six 4K bullet cameras come with it."),  # "6- 4K Bullet Cameras"
    ("pbc8b00fcbc", "The cards never expire."),  # "No Fees or Expiration Date"
    ("p3dd30b6a52", "Professional monitoring is available 24/7."),
]
ROUND14_REJECTED = [
    ("p52d07cd323", "Built for small businesses."),  # an NVR kit: no audience in the record
    ("peef6166a0a", "Designed for large home theaters."),  # "Compact Design"
    ("pd5754d56f6", "The remote has no backlight."),  # "Premium Backlit Remote"
    ("p92643c29b8", "Windows does not come preinstalled."),  # "Windows 11 Home (64-bit)"
    ("p144737d3c2", "It ships with Windows 11 Home."),  # Professional
    ("p358f1fd09c", "The last cable kit you will ever buy."),
    ("p7756bc7c32", "Savings are guaranteed."),  # "Can Pay for Itself"
    ("p167fe8e9a8", "The balance won't expire."),  # nothing of expiry in the record
    ("p56055e3224", "It records around the clock."),  # "Records with Motion or Bell Ringing"
    ("p52d07cd323", "Sixteen 4K cameras are included."),  # 16 channels, 8 cameras
    ("p043587dfbc", "It has a 720p screen."),  # the 720p is its webcam's; the screen is FHD
]

# from an attacker's review of round 14
ROUND14_ATTACKS_ACCEPTED = [
    ("pd5754d56f6", "It's rated 4.7 by customers."),  # the rating, not the review count
    ("p043587dfbc", "The Anti-Glare display has no reflections."),  # a synonym, not a form
    ("p3dd30b6a52", "It offers 24/7 professional monitoring."),
    ("pd5754d56f6", "Coverage doesn't expire for 5 years."),  # a term, not "never expires"
    ("p45377be40c", "The only thing you'll need is the Google Home app and a Google Account."),
    ("pd5754d56f6", "Sony offers no guarantee that Bravia Core titles stay available."),
    ("p051dd7331e", "Graphics: GeForce RTX 4060 – 8GB."),  # a model, then its memory
    ("pd5754d56f6", "Full Array Local Dimming is built in for deep blacks."),  # no aim
    ("pe47957823d", "The Dell runs Windows 11 Pro."),
    ("p144737d3c2", "Runs Windows 11 Pro."),  # "Windows 11 Professional"
]
ROUND14_ATTACKS_REJECTED = [
    ("pd5754d56f6", "Bravia Core streaming never expires."),  # "2 yr. Bravia Core Streaming"
    ("p144737d3c2", "A keyboard isn't included."),  # "Wireless Keyboard and Mouse Combo"
]

# round 15, from fresh17's misses (each a new sentence, not the labelled one)
ROUND15_ACCEPTED = [
    ("pc2912d36f4", "Over 130 instrument voices to pick from."),  # "Over" names nothing
    ("pd737657222", "Over a thousand games to choose from."),  # "Over 1,000 … Games"
    ("p5db62f96e1", "A 1 millisecond response time."),  # "1ms Response Time"
    ("pb6bf700a4d", "Up to fifteen and a half hours of typical device usage."),  # 15.5
    ("p93c2cd89ad", "The remote controller isn't an extra purchase."),  # it is included
]
ROUND15_REJECTED = [
    ("pdba640f1c0", "You need to pick up batteries separately."),  # "Batteries Included"
    ("pc21094ea4f", "Speaker wire is an extra purchase."),  # "Speaker Wiring Included"
    ("p746140b91d", "Remarkably light for its size."),  # no weight in the record
    ("p3e7ef99213", "Everything you need comes in the box."),  # a base station is required
    ("p0c31879c65", "Each battery flies for about an hour."),  # "34-Min Flight Time"
]

# round 16, from fresh18's misses (each a new sentence, not the labelled one)
ROUND16_ACCEPTED = [
    ("p1d06114fd4", "The service costs $79.99."),  # the shop's price, quoted
    ("p7023962b3d", "Connects over Wi-Fi 5."),  # "802.11 Wireless-AC" is Wi-Fi 5
]
ROUND16_REJECTED = [
    ("p1d06114fd4", "The service costs $59.99."),  # not its price
    ("p1d06114fd4", "It cuts your energy costs."),  # a price backs no saving
    ("p7023962b3d", "Connects over Wi-Fi 6."),  # AC is not AX
    # from the attacker's review: the Wi-Fi generation backs no other 5, a price no other cost
    ("p2827dafaa6", "Has Bluetooth 5.0."),  # "802.11 Wireless-AC (2x2) + Bluetooth"
    ("p2827dafaa6", "Runs Chrome OS 5."),
    ("p1d06114fd4", "Connecting up to 3 devices costs extra."),  # included in the service
]


@pytest.mark.parametrize(
    ("product_id", "sentence"),
    ROUND6_REJECTED
    + ROUND8_REJECTED
    + ROUND8_ATTACKS
    + ROUND9_REJECTED
    + ROUND10_REJECTED
    + ROUND11_REJECTED
    + ROUND12_REJECTED
    + ROUND13_REJECTED
    + ROUND13_ATTACKS_REJECTED
    + ROUND14_REJECTED
    + ROUND14_ATTACKS_REJECTED
    + ROUND15_REJECTED
    + ROUND16_REJECTED,
)
def test_later_rounds_reject(product_id: str, sentence: str) -> None:
    assert not check_copy(sentence, RECORDS[product_id]).supported


@pytest.mark.parametrize(
    ("product_id", "sentence"),
    ROUND6_ACCEPTED
    + ROUND8_ACCEPTED
    + ROUND9_ACCEPTED
    + ROUND10_ACCEPTED
    + ROUND11_ACCEPTED
    + ROUND12_ACCEPTED
    + ROUND13_ACCEPTED
    + ROUND13_ATTACKS_ACCEPTED
    + ROUND14_ACCEPTED
    + ROUND14_ATTACKS_ACCEPTED
    + ROUND15_ACCEPTED
    + ROUND16_ACCEPTED,
)
def test_later_rounds_accept(product_id: str, sentence: str) -> None:
    report = check_copy(sentence, RECORDS[product_id])
    assert report.supported, report.to_dict()


def record(product_id: str) -> ProductRecord:
    return RECORDS[product_id]


@pytest.mark.parametrize(("product_id", "sentence"), REJECTED)
def test_the_issues_bad_sentences_are_rejected(product_id: str, sentence: str) -> None:
    report = check_copy(sentence, record(product_id))
    assert not report.supported, report.to_dict()
    assert all(claim.rule for s in report.sentences for claim in s.rejected_by)


@pytest.mark.parametrize(("product_id", "sentence"), ACCEPTED)
def test_supported_sentences_pass(product_id: str, sentence: str) -> None:
    report = check_copy(sentence, record(product_id))
    assert report.supported, report.to_dict()


@pytest.mark.parametrize(
    ("product_id", "sentence", "rule"),
    [
        ("pe59d183835", "It is the top desktop computer.", "superlative"),  # "desktop" is no rank
        ("p1185ffee9a", "It is top of the line.", "superlative"),
        ("p1185ffee9a", "Set it on top of your bag.", "unbacked-word"),  # a place, not a rank
    ],
)
def test_top_is_a_rank_unless_a_place(product_id: str, sentence: str, rule: str) -> None:
    report = check_copy(sentence, record(product_id))
    assert [c.rule for s in report.sentences for c in s.rejected_by if c.text == "top"] == [rule]


def test_lawful_wording_per_market() -> None:
    assert [f.rule for f in check_wording("The best TV ever.")] == ["absolute-term"]
    assert {f.rule for f in check_wording("最好的电视，免费送货", market="cn")} == {
        "absolute-term",
        "free",
    }
    assert check_wording("Hands-free calling.") == []


def test_a_review_gives_claims_and_wording_per_sentence() -> None:
    text = "The stand is sold separately. It is the best TV, free shipping."
    review = review_copy(text, record("p1d5b88849d"), "default").to_dict()
    assert not review["publishable"] and not review["lawful"] and not review["supported"]
    fine, boast = review["sentences"]  # type: ignore[misc]
    assert fine["publishable"] and fine["claims"][0]["rule"] == "negation"
    assert {w["rule"] for w in boast["wording"]} == {"absolute-term", "free"}
    assert {c["rule"] for c in boast["claims"] if not c["supported"]} >= {"superlative", "free"}


@pytest.mark.parametrize(
    ("text", "market", "says"),
    [
        ("", "default", "empty"),
        (" \n ", "default", "empty"),
        ("x" * (MAX_COPY_CHARS + 1), "default", "at most 5000"),
        ("It is a TV.", "us", "unknown market"),
    ],
)
def test_a_review_refuses_what_it_cannot_check(text: str, market: str, says: str) -> None:
    with pytest.raises(BadCopy, match=says):
        review_copy(text, record("p1d5b88849d"), market)


def test_a_run_on_sentence_is_rejected_unread() -> None:
    # a hostile 5,000 characters in one sentence: refused at once, not read word by word
    report = check_copy("Bluetooth 5.0 " * 357, LAPTOP)
    assert not report.supported
    assert [c.rule for s in report.sentences for c in s.rejected_by] == ["run-on"]


def test_a_wifi_standard_by_its_letters_backs_its_generation_and_no_other() -> None:
    router = ProductRecord(id="r", title="Mesh Wi-Fi Router", bullets=["802.11ax", "Wireless-AC"])
    assert check_copy("Supports Wi-Fi 6 and Wi-Fi 5.", router).supported
    assert not check_copy("Supports Wi-Fi 7.", router).supported
    speaker = ProductRecord(id="s", title="Wi-Fi Party Speaker", bullets=["Go Wireless Be Free"])
    assert check_copy("A Wi-Fi party speaker.", speaker).supported
    assert not check_copy("Supports Wi-Fi 7.", speaker).supported
