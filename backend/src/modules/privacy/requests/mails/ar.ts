/** The request workflow's mails in Arabic. */
import { type Authorities, isOverdue, type Templates } from './types.js';

export const authorities: Authorities = {
  'supervisory-authority':
    'إلى سلطة إشرافية لحماية البيانات، ولا سيما في الدولة العضو التي تقيم أو تعمل فيها (المادة 77 من اللائحة العامة لحماية البيانات)',
  ico: 'إلى مكتب مفوض المعلومات (ICO)',
  'hhs-ocr': 'إلى وزير الصحة والخدمات الإنسانية الأمريكي (مكتب الحقوق المدنية)',
  cppa: 'إلى وكالة حماية الخصوصية في كاليفورنيا أو المدعي العام لولاية كاليفورنيا',
};

export const templates: Templates = {
  filed: (f) => ({
    subject: `طلبك ${f.reference}: رمز التأكيد`,
    paragraphs: [
      `لقد استلمنا طلبك ${f.reference}. سنرد عليه في موعد أقصاه ${f.dueAt}.`,
      `لتأكيد أن هذا العنوان يخصك، أدخل هذا الرمز: ${f.code}. وهو صالح لمدة ${f.validityMinutes} دقيقة.`,
      'إذا لم تقدم هذا الطلب، يمكنك تجاهل هذه الرسالة.',
    ],
  }),
  code: (f) => ({
    subject: `طلبك ${f.reference}: رمز التأكيد`,
    paragraphs: [
      `رمزك للطلب ${f.reference} هو ${f.code}. وهو صالح لمدة ${f.validityMinutes} دقيقة.`,
      'إذا لم تطلب رمزًا، يمكنك تجاهل هذه الرسالة.',
    ],
  }),
  received: (f) => ({
    subject: `لقد استلمنا طلبك ${f.reference}`,
    paragraphs: [
      `لقد استلمنا طلبك ${f.reference}. سنرد عليه في موعد أقصاه ${f.dueAt}.`,
      `تابعه من هنا: ${f.statusUrl}`,
    ],
  }),
  extended: (f) => ({
    subject: `طلبك ${f.reference} يحتاج إلى مزيد من الوقت`,
    paragraphs: [
      `نحتاج إلى مزيد من الوقت للرد على طلبك ${f.reference}. سنرد عليه في موعد أقصاه ${f.dueAt}.`,
      `السبب: ${f.reason}`,
      `تابعه من هنا: ${f.statusUrl}`,
    ],
  }),
  rejected: (f) => ({
    subject: `تم رفض طلبك ${f.reference}`,
    paragraphs: [
      `لا يمكننا تنفيذ طلبك ${f.reference}.`,
      `السبب: ${f.reason}`,
      `يحق لك تقديم شكوى ${authorities[f.authority ?? 'supervisory-authority']}، كما يحق لك اللجوء إلى القضاء.`,
      `التفاصيل: ${f.statusUrl}`,
    ],
  }),
  completed: (f) => ({
    subject: `تم الرد على طلبك ${f.reference}`,
    paragraphs: [
      `لقد أنجزنا طلبك ${f.reference}.`,
      `اطّلع على الرد، ونزّل بياناتك إن كنت قد طلبت نسخة منها: ${f.statusUrl}`,
    ],
  }),
  reminder: (f) => ({
    subject: isOverdue(f) ? `طلب متأخر ${f.reference}` : `موعد الطلب ${f.reference} يقترب`,
    paragraphs: [
      isOverdue(f)
        ? `كان موعد الرد على الطلب ${f.reference} ${f.dueAt} وما زال مفتوحًا.`
        : `موعد الرد على الطلب ${f.reference} هو ${f.dueAt}.`,
      `افتحه: ${f.statusUrl}`,
    ],
  }),
};
