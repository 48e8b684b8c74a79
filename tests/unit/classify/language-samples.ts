/**
 * A headline and lede per language, written for these tests in the style of the feeds we poll
 * (the story's own news: the fund, the mission, aid, meetings, arms output).
 */
export const SAMPLES: Record<string, string> = {
  en: 'Allies weigh five-year fund for Ukraine\nNATO defence ministers will discuss the plan in Brussels on Thursday, and diplomats said that several capitals have doubts about the size of the fund.',
  de: 'Verbündete beraten über Fünfjahresfonds für die Ukraine\nDie Verteidigungsminister der NATO wollen am Donnerstag in Brüssel über den Plan sprechen, der nach Angaben von Diplomaten noch nicht von allen Hauptstädten getragen wird.',
  fr: "Les alliés examinent un fonds de cinq ans pour l'Ukraine\nLes ministres de la Défense de l'OTAN discuteront jeudi à Bruxelles du plan, qui selon des diplomates ne fait pas encore l'unanimité dans les capitales.",
  pl: 'Sojusznicy rozważają pięcioletni fundusz dla Ukrainy\nMinistrowie obrony państw NATO omówią plan w czwartek w Brukseli, ale według dyplomatów nie wszystkie stolice są przekonane, że to dobry pomysł.',
  es: 'Los aliados estudian un fondo de cinco años para Ucrania\nLos ministros de Defensa de la OTAN debatirán el plan el jueves en Bruselas, aunque según fuentes diplomáticas varias capitales dudan de su tamaño.',
  uk: 'Союзники обговорюють п’ятирічний фонд для України\nМіністри оборони країн НАТО обговорять план у четвер у Брюсселі, проте за словами дипломатів, не всі столиці його підтримують.',
  ru: 'Союзники обсуждают пятилетний фонд для Украины\nМинистры обороны стран НАТО обсудят план в четверг в Брюсселе, однако, по словам дипломатов, не все столицы его поддерживают.',
  hu: 'A szövetségesek ötéves alapot fontolgatnak Ukrajna számára\nA NATO védelmi miniszterei csütörtökön Brüsszelben tárgyalnak a tervről, de diplomaták szerint nem minden főváros támogatja azt.',
  it: "Gli alleati valutano un fondo quinquennale per l'Ucraina\nI ministri della Difesa della NATO discuteranno il piano giovedì a Bruxelles, ma secondo fonti diplomatiche non tutte le capitali sono d'accordo.",
  nl: 'Bondgenoten overwegen vijfjarig fonds voor Oekraïne\nDe defensieministers van de NAVO bespreken het plan donderdag in Brussel, maar volgens diplomaten zijn nog niet alle hoofdsteden overtuigd.',
  cs: 'Spojenci zvažují pětiletý fond pro Ukrajinu\nMinistři obrany členských zemí NATO budou o plánu jednat ve čtvrtek v Bruselu, podle diplomatů však ještě nejsou přesvědčeny všechny metropole.',
  ro: 'Aliații analizează un fond pe cinci ani pentru Ucraina\nMiniștrii apărării din NATO vor discuta planul joi, la Bruxelles, dar potrivit diplomaților nu toate capitalele sunt de acord cu suma propusă.',
  pt: 'Aliados avaliam fundo de cinco anos para a Ucrânia\nOs ministros da Defesa da OTAN vão discutir o plano na quinta-feira em Bruxelas, mas segundo diplomatas nem todas as capitais estão convencidas.',
  sv: 'Allierade överväger en femårig fond för Ukraina\nNatos försvarsministrar ska diskutera planen på torsdag i Bryssel, men enligt diplomater är inte alla huvudstäder övertygade om att den behövs.',
  fi: 'Liittolaiset harkitsevat viisivuotista rahastoa Ukrainalle\nNaton puolustusministerit keskustelevat suunnitelmasta torstaina Brysselissä, mutta diplomaattien mukaan kaikki pääkaupungit eivät ole vielä vakuuttuneita.',
  tr: 'Müttefikler Ukrayna için beş yıllık fonu değerlendiriyor\nNATO savunma bakanları planı perşembe günü Brüksel’de görüşecek, ancak diplomatlara göre tüm başkentler bu fikre henüz ikna olmuş değil.',
  el: 'Οι σύμμαχοι εξετάζουν πενταετές ταμείο για την Ουκρανία\nΟι υπουργοί Άμυνας του ΝΑΤΟ θα συζητήσουν το σχέδιο την Πέμπτη στις Βρυξέλλες, αλλά σύμφωνα με διπλωμάτες δεν συμφωνούν όλες οι πρωτεύουσες.',
  lt: 'Sąjungininkai svarsto penkerių metų fondą Ukrainai\nNATO gynybos ministrai ketvirtadienį Briuselyje aptars planą, tačiau, pasak diplomatų, ne visos sostinės yra įsitikinusios, kad jis reikalingas.',
  lv: 'Sabiedrotie apsver piecu gadu fondu Ukrainai\nNATO aizsardzības ministri ceturtdien Briselē apspriedīs plānu, taču pēc diplomātu teiktā ne visas galvaspilsētas ir pārliecinātas, ka tas ir vajadzīgs.',
  et: 'Liitlased kaaluvad Ukrainale viieaastast fondi\nNATO kaitseministrid arutavad plaani neljapäeval Brüsselis, kuid diplomaatide sõnul ei ole kõik pealinnad veel veendunud, et seda on vaja.',
  sk: 'Spojenci zvažujú päťročný fond pre Ukrajinu\nMinistri obrany členských krajín NATO budú o pláne rokovať vo štvrtok v Bruseli, podľa diplomatov však ešte nie sú presvedčené všetky hlavné mestá.',
  bg: 'Съюзниците обсъждат петгодишен фонд за Украйна\nМинистрите на отбраната от НАТО ще обсъдят плана в четвъртък в Брюксел, но според дипломати не всички столици са съгласни с него.',
  sr: 'Савезници разматрају петогодишњи фонд за Украјину\nМинистри одбране земаља НАТО ће о плану разговарати у четвртак у Бриселу, али према речима дипломата, све престонице још нису убеђене.',
  hr: 'Saveznici razmatraju petogodišnji fond za Ukrajinu\nMinistri obrane članica NATO-a o planu će raspravljati u četvrtak u Bruxellesu, ali prema riječima diplomata nisu sve prijestolnice uvjerene da je potreban.',
  ja: '同盟国、ウクライナ向け5年間の基金を検討\nNATO国防相は木曜日にブリュッセルで計画を協議するが、外交筋によると全ての加盟国が賛成しているわけではない。',
  zh: '盟国考虑为乌克兰设立五年期基金\n北约国防部长将于周四在布鲁塞尔讨论该计划，但据外交官称，并非所有成员国都表示支持。',
  ar: 'الحلفاء يدرسون صندوقا لمدة خمس سنوات لأوكرانيا\nسيناقش وزراء دفاع حلف الناتو الخطة يوم الخميس في بروكسل، لكن دبلوماسيين قالوا إن بعض العواصم لا تزال مترددة.',
};
