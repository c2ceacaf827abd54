package calendar

import "time"

// kurbanAitEstimate is the first day of Kurban Ait (10 Dhu al-Hijjah) in
// the Gregorian year by the tabular (arithmetic) Islamic calendar: 30-year
// cycles with leap years 2, 5, 7, 10, 13, 16, 18, 21, 24, 26 and 29, epoch
// 16 July 622 (Julian). The date DUMK announces follows the observed new
// moon and may differ by a day or two; it is an estimate for provisional
// answers only. A Gregorian year holds one such day, or two about every
// 33 years.
func kurbanAitEstimate(year int) []Date {
	var out []Date
	// The Islamic year is about 354.37 days; year AH h begins near
	// 622 + (h-1) * 0.9702 CE.
	h := int(float64(year-622)/0.970224) + 1
	for ah := h - 2; ah <= h+2; ah++ {
		if ah < 1 {
			continue
		}
		d := fromJDN(islamicJDN(ah, 12, 10))
		if d.Year == year {
			out = append(out, d)
		}
	}
	return out
}

// islamicJDN is the Julian Day Number of day d of month m of year y of the
// tabular Islamic calendar.
func islamicJDN(y, m, d int) int {
	return d + (59*(m-1)+1)/2 + (y-1)*354 + (3+11*y)/30 + 1948439
}

// fromJDN is the Gregorian date of a Julian Day Number.
func fromJDN(jdn int) Date {
	const unixEpoch = 2440588 // 1970-01-01
	t := time.Date(1970, time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, jdn-unixEpoch)
	return Date{t.Year(), t.Month(), t.Day()}
}
