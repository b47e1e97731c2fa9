/** The one Research-Use-Only statement. Every screen, report page and export uses this constant. */
export const RUO_STATEMENT = 'For Research Use Only. Not for use in diagnostic procedures.';
