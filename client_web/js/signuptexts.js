/**
 * The sign-up page's strings (signup.html), English and French, merged into
 * i18n.js's tables so that `translator(lang)` serves them like the others.
 */
export const SIGNUP_STRINGS = {
  en: {
    su_eyebrow: 'Sign up', su_name: 'Your name or handle', su_name_hint: 'Printed on your badge. Nothing else is needed.',
    su_email: 'E-mail address', su_email_optional: 'E-mail address (optional)', su_code: 'Invitation code',
    su_privacy: 'Privacy', su_keep: 'Everything you give here is deleted {days} days after the show. You can delete it yourself at any time from your link.',
    su_consent: 'I have read the notice above and agree.', su_submit: 'Sign up', su_places: '{n} places left',
    su_full: 'All places are taken: you will be on the waiting list.', su_confirmed: 'You are signed up, {name}.',
    su_waiting: 'You are number {n} on the waiting list, {name}. If someone cancels, you get their place: come back to this link.',
    su_group: 'Your group: {name}', su_join: 'Open on the day', su_keep_link: 'Keep this link: it shows your QR code and lets you cancel.',
    su_calendar: 'Add to calendar', su_cancel: 'Cancel and delete my data', su_cancel_confirm: 'Cancel your sign-up and delete everything you gave?',
    su_deleted: 'Your sign-up and everything you gave were deleted.', su_unknown: 'This link is no longer valid: the sign-up was cancelled, or deleted after the show.',
    su_need_consent: 'Please tick the box to accept the notice.', su_need_name: 'Please give a name or a handle.',
    su_qr_alt: 'Your personal QR code: scan it on the day to join your group.', su_disabled: 'This show has no sign-ups.',
    su_closed_started: 'The show has started: sign-ups are closed.', su_closed_over: 'The show is over: sign-ups are closed.',
    su_closed_erased: 'The show is over: the sign-ups were deleted.',
    su_err_code_invalid: 'This sign-up needs the invitation code the organizer gave you.',
    su_err_rate_limited: 'Too many sign-ups from your network; please try again in a minute.',
    su_err_email_required: 'Please give an e-mail address.', su_err_email_invalid: 'This e-mail address does not look right.', su_err_closed: 'Sign-ups are closed.',
  },
  fr: {
    su_eyebrow: 'Inscription', su_name: 'Votre nom ou pseudo', su_name_hint: 'Imprimé sur votre badge. Rien d’autre n’est demandé.',
    su_email: 'Adresse e-mail', su_email_optional: 'Adresse e-mail (facultative)', su_code: 'Code d’invitation',
    su_privacy: 'Données personnelles', su_keep: 'Tout ce que vous donnez ici est effacé {days} jours après le spectacle. Vous pouvez l’effacer vous-même à tout moment depuis votre lien.',
    su_consent: 'J’ai lu la notice ci-dessus et je l’accepte.', su_submit: 'M’inscrire', su_places: 'encore {n} places',
    su_full: 'Toutes les places sont prises : vous serez sur la liste d’attente.', su_confirmed: 'Vous êtes inscrit·e, {name}.',
    su_waiting: 'Vous êtes n° {n} sur la liste d’attente, {name}. Si quelqu’un se désiste, vous prenez sa place : revenez sur ce lien.',
    su_group: 'Votre groupe : {name}', su_join: 'À ouvrir le jour J', su_keep_link: 'Gardez ce lien : il affiche votre QR code et permet d’annuler.',
    su_calendar: 'Ajouter à l’agenda', su_cancel: 'Annuler et effacer mes données', su_cancel_confirm: 'Annuler votre inscription et effacer tout ce que vous avez donné ?',
    su_deleted: 'Votre inscription et tout ce que vous aviez donné ont été effacés.', su_unknown: 'Ce lien n’est plus valable : l’inscription a été annulée, ou effacée après le spectacle.',
    su_need_consent: 'Cochez la case pour accepter la notice.', su_need_name: 'Donnez un nom ou un pseudo.',
    su_qr_alt: 'Votre QR code personnel : scannez-le le jour J pour rejoindre votre groupe.', su_disabled: 'Ce spectacle n’a pas d’inscriptions.',
    su_closed_started: 'Le spectacle a commencé : les inscriptions sont closes.', su_closed_over: 'Le spectacle est terminé : les inscriptions sont closes.',
    su_closed_erased: 'Le spectacle est terminé : les inscriptions ont été effacées.',
    su_err_code_invalid: 'Cette inscription demande le code d’invitation donné par l’organisateur.',
    su_err_rate_limited: 'Trop d’inscriptions depuis votre réseau ; réessayez dans une minute.',
    su_err_email_required: 'Donnez une adresse e-mail.', su_err_email_invalid: 'Cette adresse e-mail semble incorrecte.', su_err_closed: 'Les inscriptions sont closes.',
  },
};
