//go:build amd64 && !purego

#include "textflag.h"

DATA idConsts<>+0x00(SB)/8, $0x2020202020202020
DATA idConsts<>+0x08(SB)/8, $0x2020202020202020
DATA idConsts<>+0x10(SB)/8, $0x6060606060606060
DATA idConsts<>+0x18(SB)/8, $0x6060606060606060
DATA idConsts<>+0x20(SB)/8, $0x7b7b7b7b7b7b7b7b
DATA idConsts<>+0x28(SB)/8, $0x7b7b7b7b7b7b7b7b
DATA idConsts<>+0x30(SB)/8, $0x2f2f2f2f2f2f2f2f
DATA idConsts<>+0x38(SB)/8, $0x2f2f2f2f2f2f2f2f
DATA idConsts<>+0x40(SB)/8, $0x3a3a3a3a3a3a3a3a
DATA idConsts<>+0x48(SB)/8, $0x3a3a3a3a3a3a3a3a
DATA idConsts<>+0x50(SB)/8, $0x5f5f5f5f5f5f5f5f
DATA idConsts<>+0x58(SB)/8, $0x5f5f5f5f5f5f5f5f
GLOBL idConsts<>(SB), RODATA|NOPTR, $96

// func idSpecials(s string) (mask uint64, ok bool)
TEXT ·idSpecials(SB), NOSPLIT, $0-25
	MOVQ s_base+0(FP), SI
	MOVQ s_len+8(FP), BX
	CMPQ BX, $64
	JA   idfail
	MOVOU idConsts<>+0x00(SB), X8  // 0x20: folds upper case to lower
	MOVOU idConsts<>+0x10(SB), X9  // 'a'-1
	MOVOU idConsts<>+0x20(SB), X10 // 'z'+1
	MOVOU idConsts<>+0x30(SB), X11 // '0'-1
	MOVOU idConsts<>+0x40(SB), X12 // '9'+1
	MOVOU idConsts<>+0x50(SB), X13 // '_'
	XORQ R10, R10 // the mask
	XORQ AX, AX   // block offset

idloop:
	CMPQ AX, BX
	JAE  iddone
	LEAQ 16(AX), CX
	CMPQ CX, BX
	JBE  idload
	// A partial last block: read sixteen bytes only within the page.
	LEAQ (SI)(AX*1), R8
	ANDQ $4095, R8
	CMPQ R8, $4080
	JA   idfail

idload:
	// The compares are signed: non-ASCII bytes are negative and so
	// fall outside every range.
	MOVOU (SI)(AX*1), X0
	MOVO X0, X1
	POR X8, X1 // lower-cased
	MOVO X1, X2
	PCMPGTB X9, X2 // > 'a'-1
	MOVO X10, X3
	PCMPGTB X1, X3 // < 'z'+1
	PAND X3, X2 // a letter
	MOVO X0, X4
	PCMPGTB X11, X4 // > '0'-1
	MOVO X12, X5
	PCMPGTB X0, X5 // < '9'+1
	PAND X5, X4 // a digit
	POR X4, X2
	MOVO X0, X6
	PCMPEQB X13, X6 // '_'
	POR X6, X2
	PMOVMSKB X2, DX
	NOTL DX
	ANDL $0xffff, DX
	MOVQ AX, CX
	SHLQ CX, DX
	ORQ DX, R10
	ADDQ $16, AX
	JMP idloop

iddone:
	CMPQ BX, $64
	JAE  idout
	MOVQ $1, R9
	MOVQ BX, CX
	SHLQ CX, R9
	DECQ R9
	ANDQ R9, R10 // drop the bits past len(s)

idout:
	MOVQ R10, mask+16(FP)
	MOVB $1, ok+24(FP)
	RET

idfail:
	MOVQ $0, mask+16(FP)
	MOVB $0, ok+24(FP)
	RET
