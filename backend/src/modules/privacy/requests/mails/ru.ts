/** The request workflow's mails in Russian. */
import { type Authorities, isOverdue, type Templates } from './types.js';

export const authorities: Authorities = {
  'supervisory-authority':
    'в надзорный орган по защите данных, в частности в государстве-члене, где вы живёте или работаете (ст. 77 GDPR)',
  ico: 'в Управление комиссара по информации (ICO)',
  'hhs-ocr': 'в Министерство здравоохранения и социальных служб США (Управление по гражданским правам)',
  cppa: 'в Агентство по защите конфиденциальности Калифорнии или генеральному прокурору Калифорнии',
};

export const templates: Templates = {
  filed: (f) => ({
    subject: `Ваш запрос ${f.reference}: код подтверждения`,
    paragraphs: [
      `Мы получили ваш запрос ${f.reference}. Мы ответим до ${f.dueAt}.`,
      `Чтобы подтвердить, что этот адрес принадлежит вам, введите код: ${f.code}. Он действителен ${f.validityMinutes} мин.`,
      'Если вы не отправляли этот запрос, просто проигнорируйте это письмо.',
    ],
  }),
  code: (f) => ({
    subject: `Ваш запрос ${f.reference}: код подтверждения`,
    paragraphs: [
      `Ваш код для запроса ${f.reference}: ${f.code}. Он действителен ${f.validityMinutes} мин.`,
      'Если вы не запрашивали код, просто проигнорируйте это письмо.',
    ],
  }),
  received: (f) => ({
    subject: `Мы получили ваш запрос ${f.reference}`,
    paragraphs: [
      `Мы получили ваш запрос ${f.reference}. Мы ответим до ${f.dueAt}.`,
      `Следите за ним здесь: ${f.statusUrl}`,
    ],
  }),
  extended: (f) => ({
    subject: `Для ответа на запрос ${f.reference} нужно больше времени`,
    paragraphs: [
      `Нам нужно больше времени, чтобы ответить на ваш запрос ${f.reference}. Мы ответим до ${f.dueAt}.`,
      `Причина: ${f.reason}`,
      `Следите за ним здесь: ${f.statusUrl}`,
    ],
  }),
  rejected: (f) => ({
    subject: `Ваш запрос ${f.reference} отклонён`,
    paragraphs: [
      `Мы не можем выполнить ваш запрос ${f.reference}.`,
      `Причина: ${f.reason}`,
      `Вы можете подать жалобу ${authorities[f.authority ?? 'supervisory-authority']}, а также обратиться в суд.`,
      `Подробности: ${f.statusUrl}`,
    ],
  }),
  completed: (f) => ({
    subject: `Ваш запрос ${f.reference} выполнен`,
    paragraphs: [
      `Мы выполнили ваш запрос ${f.reference}.`,
      `Ответ и, если вы запрашивали копию, ваши данные для скачивания: ${f.statusUrl}`,
    ],
  }),
  reminder: (f) => ({
    subject: isOverdue(f) ? `Просроченный запрос ${f.reference}` : `Скоро срок запроса ${f.reference}`,
    paragraphs: [
      isOverdue(f)
        ? `Срок ответа на запрос ${f.reference} истёк ${f.dueAt}, запрос всё ещё открыт.`
        : `Срок ответа на запрос ${f.reference}: ${f.dueAt}.`,
      `Открыть: ${f.statusUrl}`,
    ],
  }),
};
