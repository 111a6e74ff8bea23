"""The rest of the world, for relevance: everyday sentences on everything a brand keyword can also stand for in
news and posts (sport, crime, weather, towns, markets, ropes and tides, idioms, music, food), in en/cs/sk/ru.
A mention about the brand is closer to the brand's anchors than to these; one that only shares a word is not.
Written for careloop; none is taken from the labelled sets."""

BACKGROUND = [
    "A police officer was injured in a shooting downtown", "Two men were arrested after a robbery at the mall",
    "The local team won the baseball game in extra innings", "The striker scored twice in the second half",
    "Heavy rain and floods are expected this weekend", "The town council approved a new swimming pool",
    "The river runs through an old mill town with rapids", "The ice hockey final is played at the city arena",
    "The concert at the arena sold out within minutes", "The band announced a summer tour",
    "Tighten the rope so it does not sag between the posts", "Check the tension of the bicycle chain",
    "Sailors wait for the tide to turn before leaving the harbour", "The fishermen came back with a good catch",
    "Unemployment fell and the economy grew faster than expected", "Retail sales were weak last month",
    "The central bank kept interest rates unchanged", "Steel demand dropped and factories cut shifts",
    "Give me a break, I only started this week", "He was too relaxed and lazy about his homework",
    "The schedule leaves some spare time for delays", "Her face went pale when she heard the verdict",
    "A recipe for a quick vegetable soup", "The museum opened an exhibition of old paintings",
    "The mayor spoke at the opening of the new bridge", "Tourists visit the lakes and forests in summer",
    "Město otevřelo nový bazén a sportovní halu", "Hokejové finále se hraje v aréně v Tampere",
    "Policie zadržela podezřelého z loupeže", "Zítra bude pršet a foukat silný vítr",
    "Mesto otvorilo nové kúpalisko", "Futbalisti vyhrali zápas v predĺžení",
    "В городе открыли новый бассейн", "Полиция задержала подозреваемого в ограблении",
    "Хоккейный финал пройдёт на городской арене", "Завтра ожидается сильный дождь",
]
