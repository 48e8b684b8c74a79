/**
 * What the language detector knows: for each language its script, its commonest short words
 * (the ones a headline and a lede can hardly avoid) and the letters that mark it. Chosen to tell
 * neighbours apart (Czech ř ů ě against Slovak ľ ô ä, Ukrainian і ї є ґ against Russian ы э ё),
 * not to be complete: a word shared by several languages votes for each of them.
 */

export type Script = 'latin' | 'cyrillic';

export interface LanguageProfile {
  lang: string;
  script: Script;
  words: string;
  letters?: string;
}

export const PROFILES: readonly LanguageProfile[] = [
  { lang: 'en', script: 'latin', words: 'the and of to in is was for on with that said says as by from at its will has have are be this after new over which would their not an who but been were' },
  { lang: 'de', script: 'latin', words: 'der die das und ist nicht mit von den dem des für auf sich ein eine einen zu im auch wird werden bei nach über soll sollen hat haben vor wie aus noch am sind einem einer', letters: 'ßäöü' },
  { lang: 'fr', script: 'latin', words: 'le la les de des et est une un du pour dans sur pas qui que au aux avec par ce cette sont ont selon plus été sera mais entre leur ses en', letters: 'éèêàçœùâîëï' },
  { lang: 'nl', script: 'latin', words: 'de het een en van is niet op dat voor met zijn wordt worden bij ook naar aan om heeft nog er maar uit door over tot deze', letters: 'ëï' },
  { lang: 'es', script: 'latin', words: 'el la los las y de que en un una por para con del se es al su sus más como pero según ha han sobre será entre', letters: 'ñáíóú¿¡' },
  { lang: 'pt', script: 'latin', words: 'o a os as e de que em um uma do da dos das para com não no na nos nas por mais ao à pelo pela é são foi será sobre segundo', letters: 'ãõçêâáíóú' },
  { lang: 'it', script: 'latin', words: 'il lo la gli le e di che è un una per con del della dei delle nel nella non alla al sono ha hanno più anche secondo sarà tra', letters: 'èàìòù' },
  { lang: 'pl', script: 'latin', words: 'i w z na się nie do że jest to od po dla o przez oraz jak ale czy są już także będzie który która które', letters: 'ąęłśźżćńó' },
  { lang: 'cs', script: 'latin', words: 'a v se na je že do s z o to pro by jako ale jsou byl bude který která které podle také při od po už', letters: 'řůěčšžťďňáíéúý' },
  { lang: 'sk', script: 'latin', words: 'a v sa na je že do s z o to pre by ako ale sú bol bude ktorý ktorá ktoré podľa tiež pri od po už', letters: 'ľĺŕôäčšžťďňáíéúý' },
  { lang: 'ro', script: 'latin', words: 'și în de la cu pe din că este a un o al ale pentru nu mai care sunt fost va spre după despre prin', letters: 'șțşţăâî' },
  { lang: 'hu', script: 'latin', words: 'a az és hogy nem is egy meg de már még szerint volt lesz van ezt azt mint csak között után pedig amely miatt', letters: 'őűöüáéíóú' },
  { lang: 'sv', script: 'latin', words: 'och att det som en på är av för med till den har de inte om ett var från men vid sig efter sina ska kommer också enligt', letters: 'åäö' },
  { lang: 'fi', script: 'latin', words: 'ja on ei se että oli kun mutta myös hän ovat joka mukaan sen tai jo nyt kuin vuoden jälkeen lisää', letters: 'äö' },
  { lang: 'et', script: 'latin', words: 'ja on ei et ka see oli mis kui aga ning või üle veel seda pärast tema nende kes ta', letters: 'õäöü' },
  { lang: 'tr', script: 'latin', words: 've bir bu da de için ile olarak daha çok gibi en ne olan ama sonra kadar göre değil her şu ise yeni ilk', letters: 'ğışçöü' },
  { lang: 'lt', script: 'latin', words: 'ir kad su į iš yra bet apie tai jo o po per buvo bus dėl taip kaip nuo prie jau tik už', letters: 'ąčęėįšųūž' },
  { lang: 'lv', script: 'latin', words: 'un ir ka ar no uz par kas vai bet lai tas pēc arī būs bija kā jau tikai līdz starp', letters: 'āēīūķļņģčšž' },
  { lang: 'hr', script: 'latin', words: 'i je u na da se za od su koji koja što ali kao iz nije bio će sa prema nakon tko tisuća vrijeme', letters: 'čćđšž' },
  { lang: 'uk', script: 'cyrillic', words: 'і й в у на не що з та до за від це як після також для який яка буде його їх про', letters: 'іїєґ' },
  { lang: 'ru', script: 'cyrillic', words: 'и в на не что с по о за от из это как он будет его после также для к который которая у при', letters: 'ыэё' },
  { lang: 'bg', script: 'cyrillic', words: 'и на за се от е че да в с са ще по не това като след към при който която', letters: 'ъ' },
  { lang: 'sr', script: 'cyrillic', words: 'и је у на да се за од су који која што али као из није био ће са према након', letters: 'јђћџљњ' },
  { lang: 'be', script: 'cyrillic', words: 'і ў на не што з да за ад гэта як пасля таксама для які', letters: 'ў' },
  { lang: 'mk', script: 'cyrillic', words: 'и на за се од е дека да во со се ќе по не ова како по кон', letters: 'ѓќѕ' },
];

/**
 * Scripts that name their language outright (Greek is Greek); code point ranges, inclusive.
 * Kana decides Japanese before Han does Chinese: Japanese text mixes both, Chinese has no kana.
 */
export const SCRIPT_LANGUAGES: readonly { lang: string; from: number; to: number }[] = [
  { lang: 'el', from: 0x0370, to: 0x03ff },
  { lang: 'el', from: 0x1f00, to: 0x1fff },
  { lang: 'hy', from: 0x0530, to: 0x058f },
  { lang: 'he', from: 0x0590, to: 0x05ff },
  { lang: 'ar', from: 0x0600, to: 0x06ff },
  { lang: 'ar', from: 0x0750, to: 0x077f },
  { lang: 'hi', from: 0x0900, to: 0x097f },
  { lang: 'th', from: 0x0e00, to: 0x0e7f },
  { lang: 'ka', from: 0x10a0, to: 0x10ff },
  { lang: 'ja', from: 0x3040, to: 0x30ff },
  { lang: 'zh', from: 0x4e00, to: 0x9fff },
  { lang: 'ko', from: 0xac00, to: 0xd7af },
];
