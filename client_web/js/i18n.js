/**
 * UI strings of the participant page and console, in the score's language
 * (manifest "language"), falling back to the browser's, then English.
 * `t(key, vars)` fills {name} placeholders. The sign-up page's strings live in
 * signuptexts.js and are merged in here.
 */
import { SIGNUP_STRINGS } from './signuptexts.js';

const STRINGS = {
  en: {
    join_title: 'Join the flashmob', join_button: 'Join', join_size: 'Downloads {mb} MB of audio once; then works offline.',
    joining: 'Joining…', your_group: 'You are in', downloading: 'Downloading your sound…',
    verified: 'All {n} files downloaded and checked',
    stored_offline: 'Stored on this phone ({mb} MB): the show plays without network, nothing more to download.',
    stored_memory: 'Kept only while this page stays open: this browser cannot store the show.',
    verify_failed: 'A file was damaged in transit. Retrying…',
    tap_sound: 'Tap to enable sound', tap_rejoin: 'Tap to rejoin the show', sound_hint: 'You should hear a short tone now.',
    volume_hint: 'Turn the volume up. Use wired headphones or the phone speaker.',
    bluetooth_warning: 'Bluetooth headphones add a delay: set your offset below if you use them.',
    test_tone: 'Play the test tone again', ready: 'You are ready', wait_hint: 'Keep this page open with the screen on. The countdown will appear here.',
    clock: 'Clock in sync ±{ms} ms', clock_wait: 'Synchronising the clock…', starts_at: 'Starts at {time}',
    starts_in: 'Starting in', now_playing: 'Playing', remaining: '{time} left', ended_title: 'Thank you!',
    ended_text: 'The flashmob is over. You can close this page.', aborted_title: 'The show was stopped',
    offline: 'Offline — the show will still start on time', announcement: 'Announcement', ok: 'OK',
    offset_label: 'Audio offset (Bluetooth)', offset_value: '{ms} ms', settings: 'Audio settings', close: 'Close',
    wake_lock_off: 'Keep the screen on yourself: this phone cannot lock it on.', group_label: 'Group',
    seat_confirmed: 'your place is confirmed', error_full: 'This flashmob is full.', error_generic: 'Could not join: {message}', late_join: 'Joining the show in progress…',
    trouble_title: 'Your phone cannot play the show by itself', trouble_decode: 'This browser cannot decode the show’s sound.',
    trouble_start: 'This browser did not start the sound.', trouble_timing: 'This phone’s audio clock is not reliable: it would play out of time.',
    trouble_media: 'This phone cannot play the show’s sound file in this page.', trouble_use_media: 'Use the simple player',
    trouble_mp3_intro: 'Or download the MP3 and play it in another app:', trouble_mp3_link: 'Download the MP3',
    trouble_press_at: 'Press play at exactly {time}', trouble_press_wait: 'The exact time to press play will appear here when the show is scheduled.',
    trouble_started: 'The show started at {time}: play the MP3 from {position}.',
    soundcheck_open: 'Check my sound (optional)',
    soundcheck_explain: 'Your phone will play five short chirps on its speaker and listen to them with its microphone, to measure how late its sound comes out. Take off headphones, turn the volume up, keep quiet for a few seconds.',
    soundcheck_privacy: 'Your browser will ask for the microphone. Nothing is kept after the check, and nothing leaves your phone.',
    soundcheck_start: 'Start the check', soundcheck_skip: 'Skip', soundcheck_running: 'Listening… keep quiet',
    soundcheck_result: 'Your sound comes out {latency} ms after it is played (± {uncertainty} ms). Proposed correction: {offset} ms (you can fine-tune it by ear in the audio settings).',
    soundcheck_result_same: 'Your sound comes out {latency} ms after it is played (± {uncertainty} ms): your phone already times its sound at least this well. Keep {offset} ms, or fine-tune by ear.',
    soundcheck_accept: 'Use this correction', soundcheck_failed_quiet: 'The microphone did not hear the chirps. Turn the volume up, take off headphones and try again, or adjust by ear.',
    soundcheck_failed_unsteady: 'The measurement was not steady (noise or echo). Try again somewhere quieter, or adjust by ear.',
    soundcheck_failed_mic: 'The microphone could not be used. You can adjust by ear instead.',
    soundcheck_ear: 'Play the reference click', soundcheck_ear_stop: 'Stop the reference click',
    soundcheck_ear_hint: 'Every phone clicks on the same second. Listen to a neighbour’s phone (or the organizers’ speaker) and move your offset until the clicks land together: if yours is late, press −.',
    bluetooth_detected: 'Your sound goes to Bluetooth: it arrives 150–650 ms late. Pick a correction, then fine-tune by ear:',
    bluetooth_ear: 'Better: use wired headphones or the phone speaker for the show.',
    offset_how_measured: '(measured)', offset_how_ear: '(by ear)', offset_how_preset: '(preset)', offset_how_manual: '(manual)',
    rehearsal_mark: 'Rehearsal — not the real show', rehearsal_ended: 'The rehearsal is over. Keep this page: the real show comes later.',
    practice_open: 'Practise at home', practice_title: 'Practice',
    practice_from: 'Start from', practice_from_start: 'The beginning', practice_play: 'Play', practice_stop: 'Stop',
    practice_close: 'Back', practice_ended: 'The end. Play again?', practice_error: 'The sound file is not on this phone yet.',
    practice_pitch_kept: 'Faster speeds keep the pitch.', practice_pitch_changes: 'On this browser, faster speeds also raise the pitch.',
    surprise_group: 'a surprise group', reveal_title: 'Your group is', reveal_symbol: 'Your sign: {symbol}',
    symbol_circle: 'circle', symbol_square: 'square', symbol_triangle: 'triangle', symbol_diamond: 'diamond',
    symbol_star: 'star', symbol_cross: 'cross', symbol_heart: 'heart', symbol_hexagon: 'hexagon',
  },
  fr: {
    join_title: 'Rejoindre la flashmob', join_button: 'Rejoindre', join_size: 'Télécharge {mb} Mo de son une seule fois ; ensuite tout fonctionne hors ligne.',
    joining: 'Connexion…', your_group: 'Vous êtes dans le groupe', downloading: 'Téléchargement de votre bande-son…',
    verified: 'Les {n} fichiers sont téléchargés et vérifiés',
    stored_offline: 'Enregistré sur ce téléphone ({mb} Mo) : le spectacle jouera sans réseau, plus rien à télécharger.',
    stored_memory: 'Gardé seulement tant que cette page reste ouverte : ce navigateur ne peut pas enregistrer le spectacle.',
    verify_failed: 'Un fichier a été abîmé en route. Nouvel essai…',
    tap_sound: 'Touchez pour activer le son', tap_rejoin: 'Touchez pour reprendre le spectacle', sound_hint: 'Vous devriez entendre un bip.',
    volume_hint: 'Montez le volume. Utilisez des écouteurs filaires ou le haut-parleur.',
    bluetooth_warning: 'Les écouteurs Bluetooth ajoutent un retard : réglez votre décalage ci-dessous si vous en utilisez.',
    test_tone: 'Rejouer le bip', ready: 'Vous êtes prêt·e', wait_hint: 'Gardez cette page ouverte, écran allumé. Le compte à rebours apparaîtra ici.',
    clock: 'Horloge synchronisée ±{ms} ms', clock_wait: 'Synchronisation de l’horloge…', starts_at: 'Début à {time}',
    starts_in: 'Début dans', now_playing: 'En cours', remaining: 'encore {time}', ended_title: 'Merci !',
    ended_text: 'La flashmob est terminée. Vous pouvez fermer cette page.', aborted_title: 'Le spectacle est interrompu',
    offline: 'Hors ligne — le spectacle démarrera quand même à l’heure', announcement: 'Annonce', ok: 'OK',
    offset_label: 'Décalage audio (Bluetooth)', offset_value: '{ms} ms', settings: 'Réglages audio', close: 'Fermer',
    wake_lock_off: 'Gardez l’écran allumé vous-même : ce téléphone ne peut pas le bloquer.', group_label: 'Groupe',
    seat_confirmed: 'votre place est confirmée', error_full: 'Cette flashmob est complète.', error_generic: 'Impossible de rejoindre : {message}', late_join: 'Vous rejoignez le spectacle en cours…',
    trouble_title: 'Votre téléphone ne peut pas jouer le spectacle tout seul', trouble_decode: 'Ce navigateur ne sait pas décoder le son du spectacle.',
    trouble_start: 'Ce navigateur n’a pas démarré le son.', trouble_timing: 'L’horloge audio de ce téléphone n’est pas fiable : il jouerait en décalé.',
    trouble_media: 'Ce téléphone ne peut pas lire le fichier son dans cette page.', trouble_use_media: 'Utiliser le lecteur simple',
    trouble_mp3_intro: 'Ou téléchargez le MP3 et lisez-le dans une autre application :', trouble_mp3_link: 'Télécharger le MP3',
    trouble_press_at: 'Appuyez sur lecture à {time} précises', trouble_press_wait: 'L’heure exacte où appuyer sur lecture apparaîtra ici quand le spectacle sera programmé.',
    trouble_started: 'Le spectacle a commencé à {time} : lisez le MP3 à partir de {position}.',
    soundcheck_open: 'Vérifier mon son (facultatif)',
    soundcheck_explain: 'Votre téléphone va jouer cinq petits sifflements sur son haut-parleur et les écouter avec son micro, pour mesurer le retard de son son. Retirez vos écouteurs, montez le volume, restez silencieux quelques secondes.',
    soundcheck_privacy: 'Le navigateur va demander le micro. Rien n’est gardé après la vérification, et rien ne quitte votre téléphone.',
    soundcheck_start: 'Lancer la vérification', soundcheck_skip: 'Passer', soundcheck_running: 'Écoute… silence s’il vous plaît',
    soundcheck_result: 'Votre son sort {latency} ms après avoir été joué (± {uncertainty} ms). Correction proposée : {offset} ms (vous pourrez l’affiner à l’oreille dans les réglages audio).',
    soundcheck_result_same: 'Votre son sort {latency} ms après avoir été joué (± {uncertainty} ms) : votre téléphone cale déjà son son au moins aussi bien. Gardez {offset} ms, ou affinez à l’oreille.',
    soundcheck_accept: 'Utiliser cette correction', soundcheck_failed_quiet: 'Le micro n’a pas entendu les sifflements. Montez le volume, retirez vos écouteurs et réessayez, ou réglez à l’oreille.',
    soundcheck_failed_unsteady: 'La mesure n’était pas stable (bruit ou écho). Réessayez dans un endroit plus calme, ou réglez à l’oreille.',
    soundcheck_failed_mic: 'Le micro n’a pas pu être utilisé. Vous pouvez régler à l’oreille.',
    soundcheck_ear: 'Jouer le clic de référence', soundcheck_ear_stop: 'Arrêter le clic de référence',
    soundcheck_ear_hint: 'Tous les téléphones cliquent à la même seconde. Écoutez le téléphone d’un voisin (ou la sono des organisateurs) et déplacez votre décalage jusqu’à ce que les clics tombent ensemble : si le vôtre est en retard, appuyez sur −.',
    bluetooth_detected: 'Votre son part en Bluetooth : il arrive 150 à 650 ms en retard. Choisissez une correction, puis affinez à l’oreille :',
    bluetooth_ear: 'Mieux : des écouteurs filaires ou le haut-parleur du téléphone pour le spectacle.',
    offset_how_measured: '(mesuré)', offset_how_ear: '(à l’oreille)', offset_how_preset: '(préréglage)', offset_how_manual: '(manuel)',
    rehearsal_mark: 'Répétition — pas le vrai spectacle', rehearsal_ended: 'La répétition est finie. Gardez cette page : le vrai spectacle viendra plus tard.',
    practice_open: 'S’entraîner à la maison', practice_title: 'Entraînement',
    practice_from: 'Commencer à', practice_from_start: 'Le début', practice_play: 'Lecture', practice_stop: 'Arrêter',
    practice_close: 'Retour', practice_ended: 'Fin. Encore une fois ?', practice_error: 'Le fichier son n’est pas encore sur ce téléphone.',
    practice_pitch_kept: 'En accéléré, la hauteur du son est conservée.', practice_pitch_changes: 'Sur ce navigateur, accélérer rend aussi le son plus aigu.',
    surprise_group: 'surprise !', reveal_title: 'Votre groupe est', reveal_symbol: 'Votre signe : {symbol}',
    symbol_circle: 'cercle', symbol_square: 'carré', symbol_triangle: 'triangle', symbol_diamond: 'losange',
    symbol_star: 'étoile', symbol_cross: 'croix', symbol_heart: 'cœur', symbol_hexagon: 'hexagone',
  },
};

for (const lang of Object.keys(STRINGS)) Object.assign(STRINGS[lang], SIGNUP_STRINGS[lang]);

export const LANGUAGES = Object.keys(STRINGS);

/** The best supported language for a manifest language and the browser's list. */
export function pickLanguage(manifestLang, browserLangs = []) {
  for (const l of [manifestLang, ...browserLangs]) {
    const base = String(l || '').toLowerCase().split('-')[0];
    if (STRINGS[base]) return base;
  }
  return 'en';
}

/** A translator for `lang`: t(key, vars). Missing keys fall back to English, then the key. */
export function translator(lang) {
  const table = STRINGS[lang] || STRINGS.en;
  return (key, vars = {}) => {
    const s = table[key] ?? STRINGS.en[key] ?? key;
    return s.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`));
  };
}

export { STRINGS };
