"""The households' information notice (issue 6, §5): what the SI SIAO holds on a person, why,
for how long, and their rights, in the languages of the 115's callers. The texts are a first
version written by the project (a professional translation can replace them: one entry per
language, same sections). French is the reference."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Notice:
    code: str  # BCP 47 language tag, for the lang attribute
    name: str  # the language's own name, for the switcher
    direction: str  # "ltr" or "rtl"
    title: str
    sections: tuple[tuple[str, str], ...]  # (heading, text)


def _notice(code, name, direction, title, *sections):
    return Notice(code, name, direction, title, tuple(sections))


NOTICES: dict[str, Notice] = {
    notice.code: notice
    for notice in (
        _notice(
            "fr",
            "Français",
            "ltr",
            "Vos données dans le SI SIAO : information des personnes",
            (
                "Pourquoi ces informations",
                "Quand vous appelez le 115 ou demandez un hébergement ou un logement, les professionnels "
                "enregistrent dans le SI SIAO les informations utiles pour vous aider : votre identité, votre "
                "famille, votre situation, vos demandes et les solutions proposées. Le responsable est la "
                "Délégation interministérielle à l'hébergement et à l'accès au logement (Dihal).",
            ),
            (
                "Qui les voit",
                "Seuls les professionnels qui vous accompagnent ou qui cherchent une solution pour vous : le "
                "SIAO de votre département, l'écoutant du 115, le travailleur social et la structure qui vous "
                "accueille. Les informations sur la santé ou les violences ne sont vues que par ceux dont le "
                "métier l'exige. Chaque consultation est enregistrée.",
            ),
            (
                "Combien de temps",
                "Votre dossier est supprimé après 24 mois sans action. Quelques informations nécessaires à la "
                "preuve sont gardées 10 ans dans une archive protégée. Les statistiques ne contiennent aucun "
                "nom.",
            ),
            (
                "Vos droits",
                "Vous pouvez savoir quelles informations sont enregistrées et en recevoir une copie, faire "
                "corriger une erreur, demander l'effacement ou vous opposer à un usage dans les cas prévus par "
                "la loi. Demandez-le au professionnel qui vous suit, au SIAO de votre département ou au délégué "
                "à la protection des données de la Dihal. Vous pouvez aussi saisir la CNIL (www.cnil.fr).",
            ),
        ),
        _notice(
            "en",
            "English",
            "ltr",
            "Your data in the SI SIAO: information for the people we help",
            (
                "Why this information",
                "When you call 115 or ask for shelter or housing, professionals record in the SI SIAO what "
                "helps them help you: your identity, your family, your situation, your requests and the "
                "solutions offered. The controller is the Interministerial Delegation for Accommodation and "
                "Access to Housing (Dihal).",
            ),
            (
                "Who sees it",
                "Only the professionals who support you or look for a solution for you: the SIAO of your "
                "département, the 115 call handler, your social worker and the place that takes you in. Health "
                "or violence information is seen only by those whose job requires it. Every access is "
                "recorded.",
            ),
            (
                "How long",
                "Your file is deleted after 24 months without any action. A few details needed as proof are "
                "kept for 10 years in a protected archive. Statistics contain no names.",
            ),
            (
                "Your rights",
                "You can find out what is recorded and get a copy, have a mistake corrected, ask for deletion "
                "or object to a use where the law allows it. Ask the professional who supports you, the SIAO of "
                "your département or the Dihal's data protection officer. You may also complain to the CNIL "
                "(www.cnil.fr).",
            ),
        ),
        _notice(
            "ar",
            "العربية",
            "rtl",
            "بياناتك في نظام SI SIAO: معلومات للأشخاص",
            (
                "لماذا هذه المعلومات",
                "عندما تتصل بالرقم 115 أو تطلب مأوى أو سكنًا، يسجّل المهنيون في نظام SI SIAO المعلومات التي "
                "تساعدهم على مساعدتك: هويتك وعائلتك ووضعك وطلباتك والحلول المقترحة. المسؤول عن المعالجة هو "
                "المندوبية الوزارية المشتركة للإيواء والحصول على السكن (Dihal).",
            ),
            (
                "من يطّلع عليها",
                "فقط المهنيون الذين يرافقونك أو يبحثون لك عن حل: مصلحة SIAO في مقاطعتك، ومستمع الرقم 115، "
                "والمساعد الاجتماعي، والمؤسسة التي تستقبلك. معلومات الصحة أو العنف لا يطّلع عليها إلا من تتطلب "
                "مهنته ذلك. كل اطّلاع يُسجَّل.",
            ),
            (
                "مدة الحفظ",
                "يُحذف ملفك بعد 24 شهرًا دون أي إجراء. تُحفظ بعض المعلومات اللازمة للإثبات لمدة 10 سنوات في "
                "أرشيف محمي. لا تحتوي الإحصاءات على أي اسم.",
            ),
            (
                "حقوقك",
                "يمكنك معرفة المعلومات المسجلة والحصول على نسخة منها، وتصحيح أي خطأ، وطلب الحذف أو الاعتراض على "
                "استعمال ما في الحالات التي يسمح بها القانون. اطلب ذلك من المهني الذي يرافقك، أو من SIAO "
                "مقاطعتك، أو من مسؤول حماية البيانات في Dihal. ويمكنك أيضًا تقديم شكوى إلى CNIL (www.cnil.fr).",
            ),
        ),
        _notice(
            "prs",
            "دری",
            "rtl",
            "معلومات شما در سیستم SI SIAO: آگاهی برای افراد",
            (
                "چرا این معلومات",
                "وقتی به شماره 115 زنگ می‌زنید یا سرپناه یا خانه می‌خواهید، کارمندان در سیستم SI SIAO معلوماتی "
                "را ثبت می‌کنند که برای کمک به شما لازم است: هویت، خانواده، وضعیت، درخواست‌ها و راه‌حل‌های "
                "پیشنهادی. مسئول این سیستم نمایندگی بین‌وزارتی سرپناه و دسترسی به مسکن (Dihal) است.",
            ),
            (
                "چه کسی آن را می‌بیند",
                "تنها کارمندانی که شما را همراهی می‌کنند یا برای شما راه‌حل پیدا می‌کنند: SIAO ولایت (دپارتمان) "
                "شما، پاسخ‌دهندهٔ 115، مددکار اجتماعی و مرکزی که شما را می‌پذیرد. معلومات صحی یا مربوط به خشونت "
                "را تنها کسانی می‌بینند که کارشان ایجاب می‌کند. هر بار دیدن پرونده ثبت می‌شود.",
            ),
            (
                "مدت نگهداری",
                "پرونده شما پس از 24 ماه بدون هیچ اقدامی حذف می‌شود. برخی معلومات لازم برای اثبات، 10 سال در یک "
                "آرشیف محافظت‌شده نگهداری می‌شود. آمار هیچ نامی ندارد.",
            ),
            (
                "حقوق شما",
                "شما می‌توانید بدانید چه معلوماتی ثبت شده و یک نسخه از آن بگیرید، اشتباهی را اصلاح کنید، حذف آن "
                "را بخواهید یا در مواردی که قانون اجازه می‌دهد با استفاده از آن مخالفت کنید. این را از کارمندی "
                "که شما را همراهی می‌کند، از SIAO ولایت خود یا از مسئول حفاظت از معلومات Dihal بخواهید. "
                "همچنین می‌توانید به CNIL شکایت کنید (www.cnil.fr).",
            ),
        ),
        _notice(
            "ps",
            "پښتو",
            "rtl",
            "ستاسو معلومات په SI SIAO سیسټم کې: د خلکو لپاره خبرتیا",
            (
                "ولې دا معلومات",
                "کله چې تاسو 115 شمېرې ته زنګ وهئ یا د سرپناه یا کور غوښتنه کوئ، کارکوونکي په SI SIAO کې هغه "
                "معلومات ثبتوي چې ستاسو سره د مرستې لپاره اړین دي: ستاسو پېژندنه، کورنۍ، حالت، غوښتنې او وړاندیز "
                "شوې حل لارې. مسؤل اداره د سرپناه او کور ته د لاسرسي بین الوزارتي استازولي (Dihal) ده.",
            ),
            (
                "څوک یې ویني",
                "یوازې هغه کارکوونکي چې ستاسو ملګرتیا کوي یا ستاسو لپاره حل لاره لټوي: ستاسو د ولایت SIAO، د 115 "
                "اورېدونکی، ټولنیز کارکوونکی او هغه مرکز چې تاسو مني. د روغتیا یا تاوتریخوالي معلومات یوازې هغه "
                "څوک ویني چې دنده یې اړتیا لري. هره کتنه ثبتېږي.",
            ),
            (
                "څومره موده",
                "ستاسو دوسیه د 24 میاشتو پرته له کوم اقدام وروسته له منځه ځي. د ثبوت لپاره ځینې اړین معلومات په یو "
                "خوندي آرشیف کې 10 کاله ساتل کېږي. احصایې هیڅ نوم نه لري.",
            ),
            (
                "ستاسو حقونه",
                "تاسو کولی شئ پوه شئ چې کوم معلومات ثبت شوي او یوه کاپي یې واخلئ، یوه تېروتنه سمه کړئ، د ړنګولو "
                "غوښتنه وکړئ یا په هغو مواردو کې چې قانون اجازه ورکوي د کارونې مخالفت وکړئ. دا له هغه کارکوونکي "
                "چې ستاسو ملګرتیا کوي، ستاسو د ولایت له SIAO یا د Dihal د معلوماتو د ساتنې له مسؤل څخه وغواړئ. "
                "تاسو کولی شئ CNIL ته هم شکایت وکړئ (www.cnil.fr).",
            ),
        ),
        _notice(
            "ti",
            "ትግርኛ",
            "ltr",
            "ሓበሬታኹም ኣብ SI SIAO፡ ንሰባት ዝምልከት ሓበሬታ",
            (
                "ስለምንታይ እዚ ሓበሬታ",
                "ናብ 115 ምስ ደወልኩም ወይ መዕቆቢ ወይ ገዛ ምስ ሓተትኩም፡ ሰራሕተኛታት ንምሕጋዝኩም ዘድሊ ሓበሬታ ኣብ SI "
                "SIAO ይምዝግቡ፡ መንነትኩም፡ ስድራቤትኩም፡ ኩነታትኩም፡ ሕቶታትኩምን ዝቐረቡ ፍታሕታትን። ሓላፍነት ዘለዎ "
                "ኣብ ልዕሊ መዕቆብን ገዛ ምርካብን ዝሰርሕ ናይ ሚኒስትሪታት ልኡኽ (Dihal) እዩ።",
            ),
            (
                "መን ይርእዮ",
                "እቶም ዝሕግዙኹም ወይ ፍታሕ ዝደልዩልኩም ሰራሕተኛታት ጥራይ፡ SIAO ናይ ከባቢኹም፡ ሰማዒ 115፡ ማሕበራዊ "
                "ሰራሕተኛን እቲ ዝቕበለኩም ትካልን። ሓበሬታ ጥዕናን ዓመጽን ስርሖም ዝሓትቶ ጥራይ እዮም ዝርእይዎ። ነፍሲ ወከፍ "
                "ምርኣይ ይምዝገብ።",
            ),
            (
                "ክንደይ ግዜ",
                "ፋይልኩም ብዘይ ዝኾነ ስጉምቲ ድሕሪ 24 ኣዋርሕ ይድምሰስ። ንመረጋገጺ ዘድሊ ገለ ሓበሬታ ኣብ ዝተሓለወ መዝገብ "
                "ን10 ዓመት ይዕቀብ። ሓበሬታ ስታቲስቲክስ ዝኾነ ስም የብሉን።",
            ),
            (
                "መሰልኩም",
                "እንታይ ሓበሬታ ከም ዝተመዝገበ ክትፈልጡን ቅዳሕ ክትረኽቡን፡ ጌጋ ከተእርሙ፡ ክድምሰስ ክትሓቱ ወይ ሕጊ ኣብ "
                "ዘፍቅደሉ ኣጠቓቕማ ክትቃወሙ ትኽእሉ ኢኹም። ነቲ ዝሕግዘኩም ሰራሕተኛ፡ SIAO ናይ ከባቢኹም ወይ ሓላፊ ሓለዋ "
                "ሓበሬታ ናይ Dihal ሕተቱ። ናብ CNIL (www.cnil.fr) እውን ጥርዓን ከተቕርቡ ትኽእሉ ኢኹም።",
            ),
        ),
        _notice(
            "ro",
            "Română",
            "ltr",
            "Datele dumneavoastră în SI SIAO: informarea persoanelor",
            (
                "De ce aceste informații",
                "Când sunați la 115 sau cereți adăpost ori locuință, profesioniștii înregistrează în SI SIAO "
                "informațiile utile pentru a vă ajuta: identitatea, familia, situația, cererile și soluțiile "
                "propuse. Operatorul este Delegația interministerială pentru adăpostire și acces la locuință "
                "(Dihal).",
            ),
            (
                "Cine le vede",
                "Doar profesioniștii care vă însoțesc sau care caută o soluție pentru dumneavoastră: SIAO din "
                "departamentul dumneavoastră, operatorul 115, asistentul social și structura care vă primește. "
                "Informațiile despre sănătate sau violență sunt văzute doar de cei a căror meserie o cere. "
                "Fiecare consultare este înregistrată.",
            ),
            (
                "Cât timp",
                "Dosarul este șters după 24 de luni fără nicio acțiune. Câteva informații necesare ca dovadă sunt "
                "păstrate 10 ani într-o arhivă protejată. Statisticile nu conțin niciun nume.",
            ),
            (
                "Drepturile dumneavoastră",
                "Puteți afla ce informații sunt înregistrate și primi o copie, cere corectarea unei greșeli, "
                "ștergerea sau vă puteți opune unei utilizări în cazurile prevăzute de lege. Cereți acest lucru "
                "profesionistului care vă însoțește, SIAO din departamentul dumneavoastră sau responsabilului cu "
                "protecția datelor al Dihal. Puteți depune și o plângere la CNIL (www.cnil.fr).",
            ),
        ),
        _notice(
            "uk",
            "Українська",
            "ltr",
            "Ваші дані в SI SIAO: інформація для людей",
            (
                "Навіщо ця інформація",
                "Коли ви телефонуєте на 115 або просите про притулок чи житло, фахівці записують у SI SIAO те, що "
                "допомагає їм вам допомогти: вашу особу, сім'ю, становище, ваші запити та запропоновані рішення. "
                "Відповідальна установа — Міжміністерська делегація з питань притулку та доступу до житла "
                "(Dihal).",
            ),
            (
                "Хто їх бачить",
                "Лише фахівці, які вас супроводжують або шукають для вас рішення: SIAO вашого департаменту, "
                "оператор 115, соціальний працівник і заклад, який вас приймає. Інформацію про здоров'я чи "
                "насильство бачать лише ті, чия робота цього вимагає. Кожен перегляд реєструється.",
            ),
            (
                "Як довго",
                "Вашу справу видаляють через 24 місяці без жодних дій. Деякі відомості, потрібні як доказ, "
                "зберігаються 10 років у захищеному архіві. Статистика не містить імен.",
            ),
            (
                "Ваші права",
                "Ви можете дізнатися, які відомості записано, і отримати їх копію, виправити помилку, попросити "
                "видалення або заперечити проти використання у випадках, передбачених законом. Зверніться до "
                "фахівця, який вас супроводжує, до SIAO вашого департаменту або до відповідального за захист "
                "даних Dihal. Ви також можете подати скаргу до CNIL (www.cnil.fr).",
            ),
        ),
    )
}
DEFAULT = "fr"
